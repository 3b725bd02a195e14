"""``/v1/notifications`` (delivery status) and ``/v1/inbox`` (a participant's in-app messages)."""
from flask import Blueprint, current_app, request

import secrets

from shared import destinations
from shared.auth import ORGANISER, PARTICIPANT, STAFF
from shared.http import Problem, idempotent, json_body, require, require_self_or
from shared.openapi import documented

from services.notifications.channels.webhook import webhooks_may_be_private
from services.notifications.schemas import NotificationFilters, PreferencesIn

bp = Blueprint("notifications", __name__, url_prefix="/v1")


def _store():
    return current_app.extensions["notifications"].store


FILTERS = ("source_event_id", "recipient_id", "correlation_id")


@bp.get("/notifications")
@documented("Delivery status by source event, recipient or correlation id (at least one)", tags=("delivery",), query=NotificationFilters, roles=STAFF)
def list_notifications():
    """Delivery status of the notifications caused by one source event, for one recipient,
    or for one correlation id (at least one filter is required)."""
    require(*STAFF)
    filters = NotificationFilters().load({name: request.args[name] for name in FILTERS if request.args.get(name)})
    if not filters:
        raise Problem(400, "Bad Request", "Filter by one of: " + ", ".join(FILTERS) + ".", errors={"source_event_id": ["Give at least one filter."]})
    return {"items": _store().find(**filters)}


@bp.post("/notifications/<notification_id>/resend")
@documented("Send a notification again (organisers)", tags=("delivery",), roles=(ORGANISER,), errors=(404,))
@idempotent
def resend(notification_id: str):
    require(ORGANISER)
    if not _store().resend(notification_id):
        raise Problem(404, "Not Found", f"No notification {notification_id} that can be sent again.")
    return {"id": notification_id, "status": "pending"}


@bp.get("/inbox/<participant_id>")
@documented("A participant's in-app messages and unread count", tags=("inbox",), roles=(PARTICIPANT, *STAFF))
def inbox(participant_id: str):
    require_self_or(participant_id, *STAFF)
    return {"items": _store().inbox(participant_id), "unread": _store().unread_count(participant_id)}


@bp.post("/inbox/<participant_id>/<notification_id>/read")
@documented("Mark an in-app message read", tags=("inbox",), roles=(PARTICIPANT,), errors=(404,))
@idempotent
def mark_read(participant_id: str, notification_id: str):
    require_self_or(participant_id)
    if not _store().mark_read(participant_id, notification_id):
        raise Problem(404, "Not Found", "No such message in this inbox.")
    return {"unread": _store().unread_count(participant_id)}


@bp.get("/preferences/<participant_id>")
@documented("How a participant is reached", tags=("preferences",), roles=(PARTICIPANT, *STAFF))
def get_preferences(participant_id: str):
    require_self_or(participant_id, *STAFF)
    return _preferences(participant_id)


@bp.put("/preferences/<participant_id>")
@documented("Choose channels, opt out, quiet hours for SMS, a webhook (a public http(s) address) for your own systems", tags=("preferences",), body=PreferencesIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404))
def set_preferences(participant_id: str):
    require_self_or(participant_id, ORGANISER)
    choices = PreferencesIn().load(json_body())
    for key in ("quiet_start", "quiet_end"):
        if choices.get(key) is not None:
            choices[key] = choices[key].strftime("%H:%M")
    secret = None
    if choices.get("webhook_url"):
        try:
            destinations.check(choices["webhook_url"], allow_private=webhooks_may_be_private(current_app.config["SETTINGS"]))
        except destinations.UnsafeDestination as exc:
            raise Problem(422, "Invalid request", "Webhooks go to public http(s) addresses only.", errors={"webhook_url": [str(exc)]}) from None
        secret = choices["webhook_secret"] = secrets.token_urlsafe(32)
    if not current_app.extensions["notifications"].contacts.set_preferences(participant_id, choices):
        raise Problem(404, "Not Found", f"Notifications knows no participant {participant_id} yet.")
    body = _preferences(participant_id)
    if secret:
        body["webhook_secret"] = secret  # shown once: the receiver verifies signatures with it
    return body


def _preferences(participant_id: str) -> dict:
    contact = current_app.extensions["notifications"].contacts.get(participant_id)
    if contact is None:
        raise Problem(404, "Not Found", f"Notifications knows no participant {participant_id} yet.")
    return {
        "participant_id": participant_id,
        "channels": contact.channels or contact.default_channels(),
        "opted_out": contact.opted_out,
        "quiet_start": contact.quiet_start.strftime("%H:%M") if contact.quiet_start else None,
        "quiet_end": contact.quiet_end.strftime("%H:%M") if contact.quiet_end else None,
        "webhook_url": contact.webhook_url,
        "language": contact.language,
    }
