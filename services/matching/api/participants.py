"""``/v1/participants``: what matching knows of a participant."""
from dataclasses import asdict

from flask import Blueprint, current_app

from shared.auth import STAFF
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
