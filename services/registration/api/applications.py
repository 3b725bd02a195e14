"""``/v1/meets/<meet_id>/applications``: taking part in a meet, and organisers' decisions."""
from flask import Blueprint, request

from shared.auth import ORGANISER, PARTICIPANT, STAFF
from shared.http import Problem, etag, idempotent, json_body, page_args, principal, require, require_self_or
from shared.openapi import documented

from services.registration.actions import applications as actions
from services.registration.actions import meets as meet_actions
from services.registration.api.context import registration
from services.registration.schemas import APPLICATION_SORTABLE, ApplicationIn, AvailabilityIn, ApplicationOut, ApplicationQuery, Decision, Withdrawal

bp = Blueprint("applications", __name__, url_prefix="/v1/meets/<meet_id>/applications")
TAGS = ("applications",)


def _out(application, status: int = 200, headers: dict | None = None):
    body = ApplicationOut().dump({**application.as_dict(), "id": application.id})
    return body, status, {"ETag": etag(application.version), **(headers or {})}


@bp.post("")
@documented("Apply to a meet with your availability", tags=TAGS, body=ApplicationIn, response=ApplicationOut, status=201, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409), headers=("Idempotency-Key",))
@idempotent
def apply(meet_id: str):
    caller = require(PARTICIPANT, ORGANISER)
    body = ApplicationIn().load(json_body())
    if caller.role == PARTICIPANT:
        if body["participant_id"] not in (None, caller.subject):
            raise Problem(403, "Forbidden", "Participants apply for themselves only.")
        participant_id = caller.subject
    elif not body["participant_id"]:
        raise Problem(422, "Invalid request", "Say whom you apply for.", errors={"participant_id": ["Required for organisers."]})
    else:
        participant_id = body["participant_id"]
    application = actions.apply(registration(), meet_id, participant_id, body["availability"])
    return _out(application, 201, {"Location": f"/v1/meets/{meet_id}/applications/{participant_id}"})


@bp.get("")
@documented("Applications to a meet", tags=TAGS, response=ApplicationOut, query=ApplicationQuery, paged=True, roles=STAFF, errors=(400, 404))
def list_applications(meet_id: str):
    require(*STAFF)
    meet_actions.get(registration(), meet_id)
    filters = ApplicationQuery().load(request.args)
    sort, limit, cursor = page_args(APPLICATION_SORTABLE, "applied_at")
    query = {"meet_id": meet_id, **{k: filters[k] for k in ("status", "role") if k in filters}}
    found, next_cursor = registration().applications.list(query, sort, limit, cursor)
    return {"items": [ApplicationOut().dump({**a.as_dict(), "id": a.id}) for a in found], "next_cursor": next_cursor}


@bp.get("/<hexid:participant_id>")
@documented("One application", tags=TAGS, response=ApplicationOut, roles=(PARTICIPANT, ORGANISER, "operator"))
def get_application(meet_id: str, participant_id: str):
    caller = principal()
    if not caller.is_staff:
        require_self_or(participant_id)
    return _out(actions.get(registration(), meet_id, participant_id))


@bp.post("/<participant_id>/decision")
@documented("Approve, reject (with a reason) or waitlist", tags=TAGS, body=Decision, response=ApplicationOut, roles=(ORGANISER,), errors=(400, 404, 409, 412))
@idempotent
def decide(meet_id: str, participant_id: str):
    caller = require(ORGANISER)
    body = Decision().load(json_body())
    return _out(actions.decide(registration(), meet_id, participant_id, body["decision"], body["reason"], caller))


@bp.put("/<participant_id>/availability")
@documented("Choose again the times you can attend (slot ids of the meet as it is now, or \"all\")", tags=TAGS, body=AvailabilityIn, response=ApplicationOut,
            roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409, 412))
def change_availability(meet_id: str, participant_id: str):
    require_self_or(participant_id, ORGANISER)
    body = AvailabilityIn().load(json_body())
    return _out(actions.change_availability(registration(), meet_id, participant_id, body["availability"]))


@bp.post("/<participant_id>/withdrawal")
@documented("Withdraw from a meet", tags=TAGS, body=Withdrawal, body_optional=True, response=ApplicationOut, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409, 412))
@idempotent
def withdraw(meet_id: str, participant_id: str):
    caller = require_self_or(participant_id, ORGANISER)
    body = Withdrawal().load(json_body(optional=True))
    return _out(actions.withdraw(registration(), meet_id, participant_id, body["reason"], caller))
