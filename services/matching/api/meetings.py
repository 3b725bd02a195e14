"""``/v1/meetings/<meeting_id>``: one meeting, its outcome and its Letter of Intent."""
from flask import Blueprint, current_app

from shared.auth import ORGANISER, PARTICIPANT, STAFF
from shared.http import Problem, idempotent, json_body, require
from shared.openapi import documented

from services.matching import actions
from services.matching.api.meets import _public
from services.matching.schemas import FollowUpIn, LoiIn, OutcomeIn, RatingIn

bp = Blueprint("meetings", __name__, url_prefix="/v1/meetings/<meeting_id>")


def ctx() -> actions.Matching:
    return current_app.extensions["matching"]


def _meeting_for_party(meeting_id: str, *roles: str) -> dict:
    """The meeting, for one of its two sides or a caller holding ``roles``. A caller who may
    act on no meeting at all is refused (401/403) before this one is looked up, so nobody
    learns which meetings exist by asking."""
    caller = require(PARTICIPANT, *roles)
    meeting = actions.meeting(ctx(), meeting_id)
    if caller.role in roles or caller.subject in (meeting["seller_id"], meeting["buyer_id"]):
        return meeting
    raise Problem(403, "Forbidden", "Only the two sides of the meeting and organisers may do this.")


@bp.get("")
@documented("A meeting", tags=("meetings",), roles=(PARTICIPANT, ORGANISER, "operator"))
def get_meeting(meeting_id: str):
    return _public(_meeting_for_party(meeting_id, *STAFF))


@bp.post("/outcome")
@documented("Record that a meeting was held, or who did not show, once it has begun (409 before)", tags=("meetings",), body=OutcomeIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
@idempotent
def outcome(meeting_id: str):
    _meeting_for_party(meeting_id, ORGANISER)
    return _public(actions.record_outcome(ctx(), meeting_id, OutcomeIn().load(json_body())["outcome"]))


@bp.post("/loi")
@documented("Record a signed Letter of Intent (follow-ups due at 30/60/90 days, 201) once the meeting has begun (409 before), signed on its day "
            "or later and not after today at the venue (422 naming signed_on). The same LoI again changes nothing and answers the meeting (200); "
            "other terms on a meeting with an LoI correct it, keeping where it stands (200)", tags=("meetings",), body=LoiIn, status=201,
            roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
@idempotent
def loi(meeting_id: str):
    _meeting_for_party(meeting_id, ORGANISER)
    meeting, done = actions.sign_loi(ctx(), meeting_id, LoiIn().load(json_body()))
    return _public(meeting), 201 if done == actions.SIGNED else 200


@bp.post("/loi/follow-up")
@documented("Where the LoI stands: in negotiation, order placed (with value) or lapsed", tags=("meetings",), body=FollowUpIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
@idempotent
def follow_up(meeting_id: str):
    _meeting_for_party(meeting_id, ORGANISER)
    return _public(actions.follow_up(ctx(), meeting_id, FollowUpIn().load(json_body())))


@bp.post("/rating")
@documented("Rate a meeting once it has begun, and say whether you want to continue", tags=("meetings",), body=RatingIn, roles=(PARTICIPANT,), errors=(400, 404, 409))
@idempotent
def rate(meeting_id: str):
    caller = require(PARTICIPANT)
    meeting = actions.meeting(ctx(), meeting_id)
    if caller.subject not in (meeting["seller_id"], meeting["buyer_id"]):
        raise Problem(403, "Forbidden", "Only the two sides of the meeting rate it.")
    body = RatingIn().load(json_body())
    return _public(actions.rate(ctx(), meeting_id, caller.subject, body["stars"], body["wants_to_continue"]))


requests_bp = Blueprint("requests", __name__, url_prefix="/v1/requests/<request_id>")


def _answer(request_id: str, accept: bool):
    caller = require(PARTICIPANT, ORGANISER)
    request = ctx().requests.get(request_id)
    if request is None:
        raise actions.NotFound(f"No request {request_id}.")
    if not (caller.role == ORGANISER or caller.subject == request["to_id"]):
        raise Problem(403, "Forbidden", "Only the person asked (or an organiser) answers a request.")
    actions.ensure_meet_running(ctx(), request["meet_id"])
    return _public(actions.answer_request(ctx(), request_id, accept))


@requests_bp.post("/accept")
@documented("Accept a meeting request", tags=("matching",), roles=(PARTICIPANT, ORGANISER), errors=(404, 409))
@idempotent
def accept(request_id: str):
    return _answer(request_id, True)


@requests_bp.post("/decline")
@documented("Decline a meeting request (the pair will not be scheduled)", tags=("matching",), roles=(PARTICIPANT, ORGANISER), errors=(404, 409))
@idempotent
def decline(request_id: str):
    return _answer(request_id, False)
