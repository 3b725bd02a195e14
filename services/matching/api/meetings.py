"""``/v1/meetings/<meeting_id>``: one meeting, its outcome and its Letter of Intent."""
from flask import Blueprint, current_app

from shared.auth import ORGANISER, PARTICIPANT, STAFF
from shared.http import Problem, json_body, principal
from shared.openapi import documented

from services.matching import actions
from services.matching.api.meets import _public
from services.matching.schemas import LoiIn, OutcomeIn

bp = Blueprint("meetings", __name__, url_prefix="/v1/meetings/<meeting_id>")


def ctx() -> actions.Matching:
    return current_app.extensions["matching"]


def _party_or(meeting: dict, *roles: str) -> None:
    caller = principal()
    if caller.role in roles or caller.subject in (meeting["seller_id"], meeting["buyer_id"]) and caller.role == PARTICIPANT:
        return
    raise Problem(403, "Forbidden", "Only the two sides of the meeting and organisers may do this.")


@bp.get("")
@documented("A meeting", tags=("meetings",), roles=(PARTICIPANT, ORGANISER, "operator"))
def get_meeting(meeting_id: str):
    meeting = actions.meeting(ctx(), meeting_id)
    _party_or(meeting, *STAFF)
    return _public(meeting)


@bp.post("/outcome")
@documented("Record that a meeting was held, or who did not show", tags=("meetings",), body=OutcomeIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
def outcome(meeting_id: str):
    _party_or(actions.meeting(ctx(), meeting_id), ORGANISER)
    return _public(actions.record_outcome(ctx(), meeting_id, OutcomeIn().load(json_body())["outcome"]))


@bp.post("/loi")
@documented("Record a signed Letter of Intent (follow-ups due at 30/60/90 days)", tags=("meetings",), body=LoiIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
def loi(meeting_id: str):
    _party_or(actions.meeting(ctx(), meeting_id), ORGANISER)
    return _public(actions.sign_loi(ctx(), meeting_id, LoiIn().load(json_body()))), 201
