"""``/v1/notifications`` (delivery status) and ``/v1/inbox`` (a participant's in-app messages)."""
from flask import Blueprint, current_app, request

from shared.http import Problem

bp = Blueprint("notifications", __name__, url_prefix="/v1")


def _store():
    return current_app.extensions["notifications"].store


@bp.get("/notifications")
def list_notifications():
    """Every notification caused by one source event: ``?source_event_id=...``."""
    event_id = request.args.get("source_event_id")
    if not event_id:
        raise Problem(400, "Bad Request", "Give source_event_id.", errors={"source_event_id": ["Required."]})
    return {"items": _store().for_source_event(event_id)}


@bp.get("/inbox/<participant_id>")
def inbox(participant_id: str):
    return {"items": _store().inbox(participant_id)}
