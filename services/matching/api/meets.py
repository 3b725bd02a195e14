"""``/v1/meets/<meet_id>/...``: recommendations, preferences, the schedule and the results."""
from flask import Blueprint, Response, current_app, request
from kafka.errors import KafkaError

from shared.auth import OPERATOR, ORGANISER, PARTICIPANT, STAFF, Unauthenticated
from shared.contracts import registration as registration_events
from shared.csv_output import csv_response
from shared.http import Problem, idempotent, json_body, limit_arg, page_args, principal, require, require_self_or
from shared.openapi import documented

from services.matching import actions
from services.matching.actions.contacts import agenda_contacts
from services.matching.domain import agenda
from services.matching.domain.required import DraftRules, PairRule
from services.matching.domain.reports import report_csv_rows
from services.matching.schemas import CancellationIn, CheckInIn, DraftIn, DraftOut, InterpreterIn, LockIn, PreferenceIn, PublishIn, RequestIn, WalkInIn

bp = Blueprint("meets", __name__, url_prefix="/v1/meets/<meet_id>")
READING = ("GET", "HEAD", "OPTIONS")


def ctx() -> actions.Matching:
    return current_app.extensions["matching"]


@bp.before_request
def _meet_still_running():
    """Every change under a meet (wishes, requests, drafts, publication, locks, the day) is
    a 409 once the meet is completed or cancelled."""
    if request.method not in READING and request.view_args:
        principal()
        actions.ensure_meet_running(ctx(), request.view_args["meet_id"])


@bp.get("/recommendations/<participant_id>")
@documented("Best-suited counterparts, with reasons", tags=("matching",), roles=(PARTICIPANT, ORGANISER, OPERATOR))
def recommendations(meet_id: str, participant_id: str):
    require_self_or(participant_id, *STAFF)
    return {"items": actions.recommendations(ctx(), meet_id, participant_id, limit_arg(20, 100))}


@bp.put("/preferences/<participant_id>/<counterpart_id>")
@documented("Must meet, would like, or no thanks", tags=("matching",), body=PreferenceIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
def set_preference(meet_id: str, participant_id: str, counterpart_id: str):
    require_self_or(participant_id, ORGANISER)
    preference = PreferenceIn().load(json_body())["preference"]
    actions.set_preference(ctx(), meet_id, participant_id, counterpart_id, preference)
    return {"participant_id": participant_id, "counterpart_id": counterpart_id, "preference": preference}


@bp.post("/requests")
@documented("Ask to meet someone, with a message (organisers add meetings on anyone's behalf)", tags=("matching",), body=RequestIn, status=201, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
@idempotent
def request_meeting(meet_id: str):
    caller = require(PARTICIPANT, ORGANISER)
    body = RequestIn().load(json_body())
    if caller.role == PARTICIPANT:
        if body["from_id"] not in (None, caller.subject):
            raise Problem(403, "Forbidden", "Participants ask for themselves only.")
        return _public(actions.request_meeting(ctx(), meet_id, caller.subject, body["to_id"], body["message"])), 201
    if not body["from_id"]:
        raise Problem(422, "Invalid request", "Say for whom.", errors={"from_id": ["Required for organisers."]})
    return _public(actions.request_meeting(ctx(), meet_id, body["from_id"], body["to_id"], body["message"], by_organiser=True)), 201


@bp.get("/requests")
@documented("Meeting requests: all for staff, sent and received for a participant", tags=("matching",), roles=(PARTICIPANT, ORGANISER, OPERATOR))
def list_requests(meet_id: str):
    caller = principal()
    return {"items": [_public(r) for r in ctx().requests.involving(meet_id, None if caller.is_staff else caller.subject)]}


@bp.put("/interpreters/<interpreter_id>")
@documented("Add or change an interpreter of the meet's pool (languages, slots they work). Published meetings still to come that "
            "they would no longer cover go to other interpreters who cover them (refused, naming the meetings, when no one can take one). "
            "A registered participant's id is refused: the pool is for people without meetings of their own",
            tags=("schedule",), body=InterpreterIn, roles=(ORGANISER,), errors=(400, 404, 409))
def set_interpreter(meet_id: str, interpreter_id: str):
    require(ORGANISER)
    return actions.set_interpreter(ctx(), meet_id, interpreter_id, InterpreterIn().load(json_body()))


@bp.delete("/interpreters/<interpreter_id>")
@documented("Remove an interpreter from the pool: their published meetings still to come go to other interpreters who cover them "
            "(refused, naming the meetings, when no one can take one)", tags=("schedule",), status=204, roles=(ORGANISER,), errors=(404, 409))
def remove_interpreter(meet_id: str, interpreter_id: str):
    require(ORGANISER)
    actions.remove_interpreter(ctx(), meet_id, interpreter_id)
    return "", 204


@bp.get("/interpreters")
@documented("The meet's interpreter pool: each interpreter's name, languages and the slots they work", tags=("schedule",), roles=STAFF)
def list_interpreters(meet_id: str):
    require(*STAFF)
    return {"items": actions.interpreters(ctx(), meet_id)}


@bp.post("/schedule/locks")
@documented("Pin a meeting to a slot (and table) before re-running the draft", tags=("schedule",), body=LockIn, status=201, roles=(ORGANISER,), errors=(400, 404, 409))
@idempotent
def lock(meet_id: str):
    require(ORGANISER)
    body = LockIn().load(json_body())
    return actions.lock_meeting(ctx(), meet_id, body["seller_id"], body["buyer_id"], body["slot_id"], body["table"]), 201


@bp.delete("/schedule/locks/<seller_id>/<buyer_id>")
@documented("Remove a pair's lock", tags=("schedule",), status=204, roles=(ORGANISER,), errors=(404, 409))
def unlock(meet_id: str, seller_id: str, buyer_id: str):
    require(ORGANISER)
    actions.unlock_meeting(ctx(), meet_id, seller_id, buyer_id)
    return "", 204


@bp.post("/schedule/draft")
@documented("Build a draft schedule for review", tags=("schedule",), body=DraftIn, body_optional=True, response=DraftOut, roles=(ORGANISER,), errors=(400, 404, 409))
@idempotent
def draft(meet_id: str):
    """Refused (409, with the counts) while matching has not handled every registration
    event Kafka holds, or knows fewer approved participants than registration's decisions
    said it had approved (their events carry the meet's counts); ``force`` drafts anyway
    and the answer warns. The draft records what it saw."""
    require(ORGANISER)
    body = DraftIn().load(json_body(optional=True))
    rules = _draft_rules(meet_id, body)
    seen = _registration_seen(meet_id, body["force"])
    built = actions.draft_schedule(ctx(), meet_id, body["max_meetings"], body["max_meetings_by_participant"], body["buyer_preference_factor"],
                                   body["time_limit_s"], seen=seen, rules=rules)
    return _draft_answer(built)


@bp.get("/schedule/draft")
@documented("The draft under review, with its report, as it was answered when built: for another organiser to review it without "
            "building another (which would become the latest)", tags=("schedule",), response=DraftOut, roles=STAFF, errors=(404,))
def draft_under_review(meet_id: str):
    require(*STAFF)
    return _draft_answer(actions.stored_draft(ctx(), meet_id))


def _draft_answer(built: dict) -> dict:
    """A draft as ``DraftOut`` shows it; a draft built on incomplete registration data warns."""
    seen = built.get("registration_seen") or {}
    warnings = [] if seen.get("complete", True) else [_behind_message(seen)]
    shown = {key: built[key] for key in ("stats", "meetings", "left_out", "without_meetings", "per_person", "required_missing")}
    return {"draft_id": built["id"], **shown, "registration_seen": seen, "warnings": warnings}


def _draft_rules(meet_id: str, body: dict) -> DraftRules:
    """The draft's rules from its body; a 422 naming ``pairs.<n>.slots`` for a slot id the
    meet does not have."""
    slot_index = {slot["id"]: i for i, slot in enumerate(actions.meet_of(ctx(), meet_id)["slots"])}
    unknown = {str(n): {"slots": [f"No slot {s} in this meet."]} for n, pair in enumerate(body["pairs"])
               for s in (pair["slots"] or []) if s not in slot_index}
    if unknown:
        raise Problem(422, "Invalid request", "A pair names a slot the meet does not have.", errors={"pairs": unknown})
    pairs = tuple(PairRule(p["seller_id"], p["buyer_id"], p["required"], None if p["slots"] is None else frozenset(slot_index[s] for s in p["slots"]))
                  for p in body["pairs"])
    return DraftRules(body["required"], pairs, tuple(body["objectives"]))


def _registration_seen(meet_id: str, force: bool) -> dict:
    """How far matching has consumed registration's events, the approved participants it
    knows of and those registration counted; a Problem (409, or 503 when Kafka cannot say)
    unless complete or ``force``."""
    try:
        seen = current_app.extensions["freshness"].positions(current_app.config["SETTINGS"].topic(registration_events.TOPIC))
    except KafkaError as exc:
        if not force:
            raise Problem(503, "Service Unavailable", f"Cannot tell whether matching has every registration event ({type(exc).__name__}); "
                          "retry, or draft with force.") from None
        seen = {"partitions": [], "behind": None, "up_to_date": False}
    roles = list(ctx().meets.roster(meet_id).values())
    known = seen["approved_known"] = {"seller": roles.count("seller"), "buyer": roles.count("buyer")}
    registered = seen["approved_in_registration"] = ctx().meets.approved_counts(meet_id)
    seen["approved_missing"] = {role: max(0, (registered or known)[role] - known[role]) for role in known}
    seen["complete"] = seen["up_to_date"] and not any(seen["approved_missing"].values())
    if not seen["complete"] and not force:
        raise Problem(409, "Conflict", _behind_message(seen) + " Retry shortly, or draft with force.", registration_seen=seen)
    return seen


def _behind_message(seen: dict) -> str:
    known, missing = seen["approved_known"], seen["approved_missing"]
    behind = "an unknown number of" if seen["behind"] is None else str(seen["behind"])
    said = f"Matching knows {known['seller']} approved sellers and {known['buyer']} approved buyers"
    if any(missing.values()):
        said += f"; registration has approved {missing['seller']} more sellers and {missing['buyer']} more buyers"
    return f"{said}; it has {behind} registration events still to handle."


@bp.post("/schedule/publish")
@documented("Publish the reviewed draft (one event per meeting)", tags=("schedule",), body=PublishIn, body_optional=True, roles=(ORGANISER,),
            errors=(400, 404, 409))
@idempotent
def publish(meet_id: str):
    """Refused (409) when ``draft_id`` names a draft that is no longer the latest: someone
    built another since the one reviewed."""
    require(ORGANISER)
    body = PublishIn().load(json_body(optional=True))
    return actions.publish_schedule(ctx(), meet_id, body["draft_id"])


@bp.post("/cancellations")
@documented("Someone cancelled or did not show: drop their meetings, fill the places, move nobody", tags=("schedule",), body=CancellationIn, roles=(ORGANISER,), errors=(400, 404, 409))
@idempotent
def cancel(meet_id: str):
    require(ORGANISER)
    body = CancellationIn().load(json_body())
    return actions.cancel_participant(ctx(), meet_id, body["participant_id"], body["reason"], body["max_meetings"])


@bp.post("/check-ins")
@documented("Check a participant in on the day", tags=("on the day",), body=CheckInIn, roles=(PARTICIPANT, ORGANISER), errors=(400, 404, 409))
@idempotent
def check_in(meet_id: str):
    body = CheckInIn().load(json_body())
    require_self_or(body["participant_id"], ORGANISER)
    return actions.check_in(ctx(), meet_id, body["participant_id"])


@bp.post("/walk-ins")
@documented("Add a meeting agreed on the day in a free slot, between a seller and a buyer approved in the meet (else 422 naming seller_id or "
            "buyer_id) who have no meeting yet (409); a pair who share no language get a free interpreter of the pool who bridges them in that slot",
            tags=("on the day",), body=WalkInIn, status=201, roles=(ORGANISER,), errors=(400, 404, 409))
@idempotent
def walk_in(meet_id: str):
    require(ORGANISER)
    body = WalkInIn().load(json_body())
    return _public(actions.walk_in(ctx(), meet_id, body["seller_id"], body["buyer_id"], body["slot_id"])), 201


@bp.get("/meetings")
@documented("Published meetings: all for staff, their own for a participant", tags=("schedule",), paged=True, roles=(PARTICIPANT, ORGANISER, OPERATOR))
def meetings(meet_id: str):
    caller = principal()
    _, limit, cursor = page_args(("slot_index",), "slot_index")
    found = ctx().meetings.page_for_meet(meet_id, None if caller.is_staff else caller.subject, limit, cursor)
    return {"items": [_public(m) for m in found.items], "next_cursor": found.next_cursor}


@bp.get("/agenda/<participant_id>.ics")
@documented("A participant's meetings as an iCalendar feed to subscribe to (?token=<calendar feed token>, see /v1/participants/{id}/feed-token)",
            tags=("schedule",), roles=(PARTICIPANT, ORGANISER, OPERATOR))
def agenda_ics(meet_id: str, participant_id: str):
    token = request.args.get("token")
    if token and not request.headers.get("Authorization"):
        _feed_token_holder(token, participant_id)
        meet, meetings = _meet_agenda(meet_id, participant_id)
    else:
        meet, meetings = _agenda(meet_id, participant_id)
    interpreters = {i["interpreter_id"]: i["name"] for i in ctx().interpreters.for_meet(meet_id)}
    contacts = agenda_contacts(ctx(), participant_id, meetings)
    return Response(agenda.ical(meetings, participant_id, meet, interpreters=interpreters, contacts=contacts), mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=bsm-agenda.ics"})


@bp.get("/agenda/<participant_id>")
@documented("A participant's printable one-page agenda (HTML), with the contact of each confirmed meeting's other side unless they opted out", tags=("schedule",), roles=(PARTICIPANT, ORGANISER, OPERATOR))
def agenda_page(meet_id: str, participant_id: str):
    meet, meetings = _agenda(meet_id, participant_id)
    profile = ctx().profiles.get(participant_id)
    name = (profile.organisation or profile.name) if profile else participant_id
    contacts = agenda_contacts(ctx(), participant_id, meetings)
    return Response(agenda.printable(meetings, participant_id, name, meet, contacts), mimetype="text/html")


def _feed_token_holder(token: str, participant_id: str) -> None:
    """Let a calendar feed token for ``participant_id`` through; anything else in the URL is
    a 401 problem, a staff key or a participant's own token saying where it belongs."""
    auth = current_app.extensions["auth"]
    try:
        holder = current_app.extensions["feed_tokens"].holder(token)
    except Unauthenticated as exc:
        try:
            auth.authenticate(f"Bearer {token}")
        except Unauthenticated:
            raise Problem(401, "Unauthorized", str(exc)) from None
        raise Problem(401, "Unauthorized", "API keys and participants' tokens are accepted only in the Authorization header; "
                      f"subscribe with a calendar feed token (POST /v1/participants/{participant_id}/feed-token).") from None
    if holder != participant_id:
        raise Problem(403, "Forbidden", "This calendar feed token is for another participant's feed.")


def _agenda(meet_id: str, participant_id: str):
    require_self_or(participant_id, *STAFF)
    return _meet_agenda(meet_id, participant_id)


def _meet_agenda(meet_id: str, participant_id: str):
    meet = ctx().meets.meet(meet_id)
    if meet is None:
        raise actions.NotFound(f"Matching knows no meet {meet_id}.")
    return meet, ctx().meetings.for_meet(meet_id, participant_id)


@bp.get("/report")
@documented("Meetings (held, no-show, cancelled, not recorded), LoIs and their value by meet, district, product, buyer and country (?format=csv)",
            tags=("results",), roles=STAFF)
def report(meet_id: str):
    require(*STAFF)
    as_csv = _report_format()
    result = actions.report(ctx(), meet_id)
    if as_csv:
        return csv_response(report_csv_rows(result), f"bsm-{meet_id}-report.csv")
    return result


def _public(meeting: dict) -> dict:
    out = {k: v for k, v in meeting.items() if k != "_id"}
    out["id"] = meeting["_id"]
    return out


reports_bp = Blueprint("reports", __name__)


@reports_bp.get("/v1/reports")
@documented("Results across every meet, with a row per meet (?format=csv)", tags=("results",), roles=STAFF, errors=())
def all_meets_report():
    require(*STAFF)
    as_csv = _report_format()
    result = actions.report_all(ctx())
    if as_csv:
        return csv_response(report_csv_rows(result), "bsm-report.csv")
    return result


def _report_format() -> bool:
    """Whether ``?format=`` asks for CSV (``csv``) rather than JSON (``json``, the default);
    any other format is a 400 naming ``format``."""
    wanted = request.args.get("format", "json")
    if wanted not in ("json", "csv"):
        raise Problem(400, "Bad Request", "format is json or csv.", errors={"format": [f"No format {wanted[:40]}."]})
    return wanted == "csv"
