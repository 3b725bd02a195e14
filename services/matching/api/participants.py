"""``/v1/participants``: what matching knows of a participant."""
from dataclasses import asdict

from flask import Blueprint, current_app

from shared.auth import ORGANISER, STAFF
from shared.http import Problem, require_self_or
from shared.openapi import documented

bp = Blueprint("participants", __name__, url_prefix="/v1/participants")


@bp.get("/<participant_id>")
@documented("What matching knows of a participant (no contact details)", tags=("participants",), roles=("participant", "organiser", "operator"))
def get_participant(participant_id: str):
    require_self_or(participant_id, *STAFF)
    profile = current_app.extensions["matching"].profiles.get(participant_id)
    if profile is None:
        raise Problem(404, "Not Found", f"Matching knows no participant {participant_id}.")
    return asdict(profile)


@bp.post("/<participant_id>/feed-token")
@documented("A new read-only token for the participant's calendar feeds (?token=); earlier ones stop working", tags=("schedule",), status=201, roles=("participant", "organiser"))
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
