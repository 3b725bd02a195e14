"""``/v1/participants``: what matching knows of a participant."""
from flask import Blueprint, current_app, request

from shared.auth import ORGANISER, STAFF
from shared.http import Problem, idempotent, principal, require_self_or
from shared.openapi import documented

from services.matching import actions
from services.matching.actions.contacts import participant_view

bp = Blueprint("participants", __name__, url_prefix="/v1/participants")


@bp.get("/<participant_id>")
@documented("What matching knows of a participant; the other side of a confirmed meeting at ?meet= sees it too, with the business phone "
            "and email unless the participant opted out (share_contact)", tags=("participants",), roles=("participant", "organiser", "operator"))
def get_participant(participant_id: str):
    caller = principal()
    meet_id = request.args.get("meet")
    if caller.role == "participant" and caller.subject != participant_id and meet_id:
        try:
            view = participant_view(current_app.extensions["matching"], participant_id, caller.subject, meet_id)
        except actions.NotFound as exc:
            raise Problem(404, "Not Found", str(exc)) from None
        if view is None:
            raise Problem(403, "Forbidden", "You see another participant's profile once you have a confirmed meeting with them at this meet.")
        return view
    require_self_or(participant_id, *STAFF)
    try:
        return participant_view(current_app.extensions["matching"], participant_id)
    except actions.NotFound as exc:
        raise Problem(404, "Not Found", str(exc)) from None


@bp.post("/<participant_id>/feed-token")
@documented("A new read-only token for the participant's calendar feeds (?token=); earlier ones stop working", tags=("schedule",), status=201, roles=("participant", "organiser"))
@idempotent
def new_feed_token(participant_id: str):
    """Subscribe a calendar app with ``/v1/meets/<meet>/agenda/<participant>.ics?token=<feed token>``."""
    require_self_or(participant_id, ORGANISER)
    return {"participant_id": participant_id, "feed_token": current_app.extensions["feed_tokens"].rotate(participant_id)}, 201


@bp.delete("/<participant_id>/feed-token")
@documented("Revoke every calendar feed token of the participant", tags=("schedule",), status=204, roles=("participant", "organiser"))
def revoke_feed_token(participant_id: str):
    require_self_or(participant_id, ORGANISER)
    current_app.extensions["feed_tokens"].revoke(participant_id)
    return "", 204
