"""``/v1/notifications`` (delivery status) and ``/v1/inbox`` (a participant's in-app messages)."""
from flask import Blueprint, current_app, request

from shared.auth import STAFF
from shared.http import Problem, require, require_self_or

bp = Blueprint("notifications", __name__, url_prefix="/v1")


def _store():
    return current_app.extensions["notifications"].store


FILTERS = ("source_event_id", "recipient_id", "correlation_id")


@bp.get("/notifications")
def list_notifications():
    """Delivery status of the notifications caused by one source event, for one recipient,
    or for one correlation id (at least one filter is required)."""
    require(*STAFF)
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    if not filters:
        raise Problem(400, "Bad Request", "Filter by one of: " + ", ".join(FILTERS) + ".", errors={"source_event_id": ["Give at least one filter."]})
    return {"items": _store().find(**filters)}


@bp.get("/inbox/<participant_id>")
def inbox(participant_id: str):
    require_self_or(participant_id, *STAFF)
    return {"items": _store().inbox(participant_id)}
