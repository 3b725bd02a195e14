"""``/v1/meets``: organisers create and run Buyer-Seller Meets; anyone may read them."""
from flask import Blueprint, request

from shared.auth import ORGANISER
from shared.http import etag, expected_version, idempotent, json_body, page_args, require
from shared.openapi import documented
from shared.patching import merged_changes

from services.registration.actions import meets as actions
from services.registration.api.context import registration
from services.registration.schemas import MEET_SORTABLE, MeetIn, AvailabilityFollowedOut, MeetOut, MeetQuery, SlotsOut, StatusChange

bp = Blueprint("meets", __name__, url_prefix="/v1/meets")
TAGS = ("meets",)


def _out(meet, approved, status=200):
    body = MeetOut().dump(meet)
    body["approved"] = approved
    return body, status, {"ETag": etag(meet.version)}


@bp.post("")
@documented("Create a meet (draft)", tags=TAGS, body=MeetIn, response=MeetOut, status=201, roles=(ORGANISER,), headers=("Idempotency-Key",))
@idempotent
def create_meet():
    require(ORGANISER)
    meet = actions.create(registration(), MeetIn().load(json_body()))
    body, _, headers = _out(meet, {"seller": 0, "buyer": 0})
    return body, 201, {**headers, "Location": f"/v1/meets/{meet.id}"}


@bp.get("")
@documented("List meets", tags=TAGS, response=MeetOut, query=MeetQuery, paged=True, errors=(400,))
def list_meets():
    filters = MeetQuery().load(request.args)
    sort, limit, cursor = page_args(MEET_SORTABLE, "-created_at")
    query = {k: filters[k] for k in ("status", "city") if k in filters}
    found, next_cursor = registration().meets.list(query, sort, limit, cursor)
    return {"items": [{**MeetOut().dump(m), "approved": a} for m, a in found], "next_cursor": next_cursor}


@bp.get("/<meet_id>")
@documented("A meet with its slots", tags=TAGS, response=MeetOut)
def get_meet(meet_id: str):
    return _out(*actions.get(registration(), meet_id))


@bp.get("/<meet_id>/slots")
@documented("The meeting slots of a meet", tags=TAGS, response=SlotsOut)
def get_slots(meet_id: str):
    meet, _ = actions.get(registration(), meet_id)
    return SlotsOut().dump({"items": meet.slots()})


@bp.patch("/<meet_id>")
@documented("Edit a meet (If-Match required)", tags=TAGS, body=MeetIn, response=MeetOut, roles=(ORGANISER,), headers=("If-Match",), errors=(400, 404, 409, 412, 428))
def update_meet(meet_id: str):
    require(ORGANISER)
    version = expected_version(current=lambda: actions.get(registration(), meet_id)[0].version)
    changes = merged_changes(MeetIn(), MeetOut().dump(actions.get(registration(), meet_id)[0]), json_body())
    meet, followed = actions.update(registration(), meet_id, changes, version)
    body, status, headers = _out(meet, actions.get(registration(), meet_id)[1])
    body["availability_followed"] = AvailabilityFollowedOut().dump(followed)
    return body, status, headers


@bp.post("/<meet_id>/status")
@documented("Move a meet in its lifecycle", tags=TAGS, body=StatusChange, response=MeetOut, roles=(ORGANISER,), headers=("If-Match",), errors=(400, 404, 409, 412))
@idempotent
def change_status(meet_id: str):
    require(ORGANISER)
    version = expected_version(required=False, current=lambda: actions.get(registration(), meet_id)[0].version)
    meet = actions.change_status(registration(), meet_id, StatusChange().load(json_body())["status"], version)
    return _out(meet, actions.get(registration(), meet_id)[1])
