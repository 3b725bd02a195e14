"""What matching does for its HTTP API: recommendations, preferences, schedules, outcomes, LoIs.

No Flask here; views call these and map ``NotFound``/``Refused`` to problems.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from shared.money import Money

from services.matching import messages
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.preferences import DEFAULT_BUYER_FACTOR, pair_value
from services.matching.domain.reports import meet_report
from services.matching.domain.scheduling import Candidate, Infeasible, Meeting, Problem, Schedule, build_schedule, idle_gaps, repair
from services.matching.domain.scoring import Match, score
from services.matching.store import InterpreterStore, MeetingStore, MeetView, PreferenceStore, ProfileStore, RequestStore, ScheduleStore

CANDIDATES_PER_BUYER = 60
MAX_REQUESTS_SENT = 20
FOLLOW_UP_DAYS = (30, 60, 90)


class NotFound(LookupError):
    pass


class Refused(ValueError):
    """The request breaks a rule of matching (the message says which)."""


@dataclass
class Matching:
    profiles: ProfileStore
    meets: MeetView
    preferences: PreferenceStore
    schedules: ScheduleStore
    meetings: MeetingStore
    requests: RequestStore
    interpreters: InterpreterStore


def _meet(ctx: Matching, meet_id: str) -> dict[str, Any]:
    meet = ctx.meets.meet(meet_id)
    if meet is None:
        raise NotFound(f"Matching knows no meet {meet_id}.")
    return meet


def _rare_districts(sellers: list[ParticipantProfile]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for seller in sellers:
        if seller.district:
            counts[seller.district] = counts.get(seller.district, 0) + 1
    threshold = max(1, len(sellers) // 20)
    return frozenset(d for d, n in counts.items() if n <= threshold)


def _approved(ctx: Matching, meet_id: str) -> tuple[list[dict], dict[str, ParticipantProfile]]:
    approved = ctx.meets.approved(meet_id)
    return approved, ctx.profiles.many([a["participant_id"] for a in approved])


def recommendations(ctx: Matching, meet_id: str, participant_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The counterparts who suit a participant best, with the reasons."""
    _meet(ctx, meet_id)
    approved, profiles = _approved(ctx, meet_id)
    me = profiles.get(participant_id)
    if me is None:
        raise NotFound(f"{participant_id} is not an approved participant of this meet.")
    others = [p for p in profiles.values() if p.role != me.role]
    sellers = [p for p in profiles.values() if p.role == "seller"]
    rare = _rare_districts(sellers)
    matches = [score(me, o, rare) if me.role == "seller" else score(o, me, rare) for o in others]
    matches.sort(key=lambda m: (-m.score, m.seller_id, m.buyer_id))
    return [_match_view(m, profiles) for m in matches[:limit]]


def _match_view(match: Match, profiles: dict[str, ParticipantProfile]) -> dict[str, Any]:
    seller, buyer = profiles[match.seller_id], profiles[match.buyer_id]
    return {
        "seller": {"id": seller.id, "name": seller.organisation or seller.name, "district": seller.district},
        "buyer": {"id": buyer.id, "name": buyer.organisation or buyer.name, "country": buyer.country},
        "score": match.score,
        "reasons": list(match.reasons),
        "concerns": list(match.concerns),
    }


def set_interpreter(ctx: Matching, meet_id: str, interpreter_id: str, details: dict[str, Any]) -> dict[str, Any]:
    meet = _meet(ctx, meet_id)
    unknown = sorted(set(details["availability"]) - {s["id"] for s in meet["slots"]})
    if unknown:
        raise Refused(f"Not slots of this meet: {', '.join(unknown[:5])}.")
    ctx.interpreters.put(meet_id, interpreter_id, details["name"], details["languages"], details["availability"])
    return {"interpreter_id": interpreter_id, **details}


def lock_meeting(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str, slot_id: str, table: int | None) -> dict[str, Any]:
    meet = _meet(ctx, meet_id)
    if slot_id not in {s["id"] for s in meet["slots"]}:
        raise Refused(f"{slot_id} is not a slot of this meet.")
    if table is not None and not 1 <= table <= meet["tables"]:
        raise Refused(f"The meet has tables 1 to {meet['tables']}.")
    lock = {"seller_id": seller_id, "buyer_id": buyer_id, "slot_id": slot_id, "table": table}
    ctx.schedules.add_lock(meet_id, lock)
    return lock


def set_preference(ctx: Matching, meet_id: str, participant_id: str, counterpart_id: str, preference: str) -> None:
    _meet(ctx, meet_id)
    mine, theirs = ctx.meets.participation(meet_id, participant_id), ctx.meets.participation(meet_id, counterpart_id)
    if not mine or not theirs:
        raise NotFound("Both must be participants of this meet.")
    if mine["role"] == theirs["role"]:
        raise Refused("Preferences are for the other side: sellers rate buyers, buyers rate sellers.")
    ctx.preferences.put(meet_id, participant_id, counterpart_id, mine["role"], preference)


def _problem(ctx: Matching, meet: dict[str, Any], max_meetings: int, buyer_factor: float = DEFAULT_BUYER_FACTOR) -> tuple[Problem, dict]:
    """The scheduling problem of a meet as matching knows it now, and the reasons per pair."""
    approved, profiles = _approved(ctx, meet["_id"])
    slot_index = {s["id"]: i for i, s in enumerate(meet["slots"])}
    availability = {a["participant_id"]: frozenset(slot_index[s] for s in a["availability"] if s in slot_index) for a in approved}
    sellers = [p for p in profiles.values() if p.role == "seller"]
    buyers = [p for p in profiles.values() if p.role == "buyer"]
    said = {(p["participant_id"], p["counterpart_id"]): p["preference"] for p in ctx.preferences.for_meet(meet["_id"])}
    rare = _rare_districts(sellers)
    pool = ctx.interpreters.for_meet(meet["_id"])
    candidates, excluded, reasons = [], set(), {}
    for buyer in buyers:
        scored = []
        for seller in sellers:
            match = score(seller, buyer, rare)
            valued = pair_value(match.score, said.get((buyer.id, seller.id)), said.get((seller.id, buyer.id)), buyer_factor)
            if valued is None:
                excluded.add((seller.id, buyer.id))
                continue
            scored.append(Candidate(seller.id, buyer.id, *valued, interpreters=_interpreters_for(seller, buyer, pool)))
            reasons[(seller.id, buyer.id)] = list(match.reasons)
        scored.sort(key=lambda c: -c.value)
        candidates += [c for i, c in enumerate(scored) if i < CANDIDATES_PER_BUYER or c.kind != "recommended"]
    interpreter_availability = {i["interpreter_id"]: frozenset(slot_index[s] for s in i["availability"] if s in slot_index) for i in pool}
    problem = Problem(
        [s["id"] for s in meet["slots"]], meet["tables"], availability, candidates,
        default_max_meetings=max_meetings, excluded=frozenset(excluded), interpreter_availability=interpreter_availability,
    )
    return problem, reasons


def _interpreters_for(seller: ParticipantProfile, buyer: ParticipantProfile, pool: list[dict]) -> frozenset[str] | None:
    """None when the two share a language; else the interpreters who speak one language of each."""
    if set(seller.languages) & set(buyer.languages):
        return None
    return frozenset(i["interpreter_id"] for i in pool if set(i["languages"]) & set(seller.languages) and set(i["languages"]) & set(buyer.languages))


def request_meeting(ctx: Matching, meet_id: str, from_id: str, to_id: str, message: str | None, by_organiser: bool = False) -> dict[str, Any]:
    """Ask to meet someone. The asker's wish counts at once; if the other side accepts (or
    an organiser adds the meeting), the pair becomes a mutual request, first in the schedule."""
    _meet(ctx, meet_id)
    mine, theirs = ctx.meets.participation(meet_id, from_id), ctx.meets.participation(meet_id, to_id)
    if not mine or not theirs or mine["status"] != "approved" or theirs["status"] != "approved":
        raise NotFound("Both must be approved participants of this meet.")
    if mine["role"] == theirs["role"]:
        raise Refused("Meetings are between a seller and a buyer.")
    if not by_organiser and ctx.requests.sent_count(meet_id, from_id) >= MAX_REQUESTS_SENT:
        raise Refused(f"You have sent the most requests allowed ({MAX_REQUESTS_SENT}) for this meet.")
    status = "accepted" if by_organiser else "pending"
    request = {"_id": f"{meet_id}:{from_id}:{to_id}", "meet_id": meet_id, "from_id": from_id, "to_id": to_id, "from_role": mine["role"],
               "message": message, "status": status, "by_organiser": by_organiser, "created_at": datetime.now(timezone.utc)}
    kind = messages.MEETING_ACCEPTED if by_organiser else messages.MEETING_REQUESTED
    if not ctx.requests.add(request, [messages.request_event(kind, request)]):
        raise Refused("You have already asked to meet them.")
    ctx.preferences.put(meet_id, from_id, to_id, mine["role"], "must_meet")
    if by_organiser:
        ctx.preferences.put(meet_id, to_id, from_id, theirs["role"], "must_meet")
    return request


def answer_request(ctx: Matching, request_id: str, accept: bool) -> dict[str, Any]:
    request = ctx.requests.get(request_id)
    if request is None:
        raise NotFound(f"No request {request_id}.")
    status = "accepted" if accept else "declined"
    if request["status"] == status:
        return request
    answered = {**request, "status": status}
    kind = messages.MEETING_ACCEPTED if accept else messages.MEETING_DECLINED
    if not ctx.requests.decide(request_id, status, [messages.request_event(kind, answered)]):
        raise Refused(f"This request was already {request['status']}.")
    their_role = "buyer" if request["from_role"] == "seller" else "seller"
    ctx.preferences.put(request["meet_id"], request["to_id"], request["from_id"], their_role, "must_meet" if accept else "no_thanks")
    return answered


def draft_schedule(
    ctx: Matching, meet_id: str, max_meetings: int, caps: dict[str, int] | None = None, buyer_factor: float = DEFAULT_BUYER_FACTOR
) -> dict[str, Any]:
    """Build a draft for review. Meetings already published stay as they are (locked)."""
    meet = _meet(ctx, meet_id)
    problem, reasons = _problem(ctx, meet, max_meetings, buyer_factor)
    problem.max_meetings = dict(caps or {})
    still_here = problem.availability.keys()
    published = [
        _as_meeting(m) for m in ctx.meetings.for_meet(meet_id)
        if m["status"] == "scheduled" and m["seller_id"] in still_here and m["buyer_id"] in still_here
    ]
    taken = {m.pair for m in published}
    slot_index = {slot: i for i, slot in enumerate(problem.slots)}
    pinned = [
        Meeting(lock["seller_id"], lock["buyer_id"], slot_index[lock["slot_id"]], lock.get("table") or 0, 0.0, "locked", locked=True)
        for lock in (ctx.schedules.get(meet_id) or {}).get("locks", [])
        if (lock["seller_id"], lock["buyer_id"]) not in taken
    ]
    problem.locked = published + pinned
    started = datetime.now(timezone.utc)
    try:
        schedule = build_schedule(problem)
    except Infeasible as exc:
        raise Refused(f"The locked meetings cannot all be kept: {exc}.") from None
    gaps = idle_gaps(schedule.meetings)
    draft = {
        "built_at": started,
        "max_meetings": max_meetings,
        "meetings": [_draft_meeting(m, problem, reasons) for m in schedule.meetings],
        "stats": {
            "meetings": len(schedule.meetings), "value": schedule.value, "upper_bound": schedule.upper_bound, "gap": schedule.gap,
            "requested_pairs": sum(1 for c in problem.candidates if c.kind != "recommended"),
            "requested_scheduled": sum(1 for m in schedule.meetings if m.kind != "recommended"),
            "unscheduled_requests": sum(1 for c in schedule.unscheduled if c.kind != "recommended"),
            "mean_idle_slots": round(sum(gaps.values()) / len(gaps), 3) if gaps else 0,
        },
    }
    ctx.schedules.save_draft(meet_id, draft)
    return draft


def _draft_meeting(m: Meeting, problem: Problem, reasons: dict) -> dict[str, Any]:
    return {
        "seller_id": m.seller_id, "buyer_id": m.buyer_id, "slot_index": m.slot, "slot_id": problem.slots[m.slot],
        "table": m.table, "kind": m.kind, "value": m.value, "reasons": reasons.get(m.pair, []), "interpreter": m.interpreter,
    }


def _as_meeting(doc: dict[str, Any]) -> Meeting:
    return Meeting(doc["seller_id"], doc["buyer_id"], doc["slot_index"], doc["table"], doc.get("value", 0.0), doc.get("kind", "recommended"),
                   locked=True, interpreter=doc.get("interpreter"))


def cancel_participant(ctx: Matching, meet_id: str, participant_id: str, reason: str, max_meetings: int = 12) -> dict[str, Any]:
    """Someone cancelled or did not show: drop their meetings and fill the freed places
    without moving anyone else's meeting. Every change is announced by an event."""
    meet = _meet(ctx, meet_id)
    published = [m for m in ctx.meetings.for_meet(meet_id) if m["status"] == "scheduled"]
    if not published:
        raise Refused("There is no published schedule to repair.")
    problem, reasons = _problem(ctx, meet, max_meetings)
    current = Schedule([_as_meeting(m) for m in published], [], 0.0, 0.0)
    scheduled = {m.pair for m in current.meetings}
    current.unscheduled = [c for c in problem.candidates if c.pair not in scheduled]
    _, dropped, added = repair(current, problem, {participant_id})
    by_pair = {(m["seller_id"], m["buyer_id"]): m for m in published}
    for meeting in dropped:
        doc = by_pair[meeting.pair]
        fields = {"status": "cancelled", "cancel_reason": reason, "cancelled_participant": participant_id}
        ctx.meetings.update(doc["_id"], doc["version"], fields, [messages.meeting_event(messages.MEETING_CANCELLED, {**doc, **fields, "version": doc["version"] + 1})])
    slots = {s["id"]: s for s in meet["slots"]}
    profiles = ctx.profiles.many(sorted({w for m in added for w in m.pair}))
    for meeting in added:
        doc = _meeting_doc(meet, _draft_meeting(meeting, problem, reasons), slots, profiles)
        ctx.meetings.publish(doc, [messages.meeting_event(messages.MEETING_SCHEDULED, doc)])
    return {"cancelled": [f"{meet_id}:{m.seller_id}:{m.buyer_id}" for m in dropped], "added": [f"{meet_id}:{m.seller_id}:{m.buyer_id}" for m in added], "moved": []}


def publish_schedule(ctx: Matching, meet_id: str) -> dict[str, Any]:
    """Publish the reviewed draft: one meeting document (and event) per meeting, once."""
    meet = _meet(ctx, meet_id)
    stored = ctx.schedules.get(meet_id) or {}
    draft = stored.get("draft")
    if not draft:
        raise Refused("There is no draft schedule to publish: build one first.")
    slots = {s["id"]: s for s in meet["slots"]}
    profiles = ctx.profiles.many(sorted({w for m in draft["meetings"] for w in (m["seller_id"], m["buyer_id"])}))
    created = 0
    for m in draft["meetings"]:
        meeting = _meeting_doc(meet, m, slots, profiles)
        created += ctx.meetings.publish(meeting, [messages.meeting_event(messages.MEETING_SCHEDULED, meeting)])
    published = {"at": datetime.now(timezone.utc), "meetings": len(draft["meetings"]), **{k: draft["stats"][k] for k in ("value", "upper_bound")}}
    ctx.schedules.mark_published(meet_id, published, [messages.schedule_published(meet_id, published)])
    return {"meetings": len(draft["meetings"]), "newly_published": created, "stats": draft["stats"]}


def _meeting_doc(meet: dict, m: dict, slots: dict, profiles: dict[str, ParticipantProfile]) -> dict[str, Any]:
    slot = slots[m["slot_id"]]
    seller, buyer = profiles.get(m["seller_id"]), profiles.get(m["buyer_id"])
    return {
        "_id": f"{meet['_id']}:{m['seller_id']}:{m['buyer_id']}",
        "meet_id": meet["_id"], "seller_id": m["seller_id"], "buyer_id": m["buyer_id"],
        "slot_id": m["slot_id"], "slot_index": m["slot_index"], "day": slot["day"], "start": slot["start"], "end": slot["end"],
        "table": m["table"], "timezone": meet["timezone"], "reasons": m["reasons"], "kind": m["kind"], "value": m["value"],
        "interpreter": m.get("interpreter"),
        "status": "scheduled", "version": 1,
        "seller_name": (seller.organisation or seller.name) if seller else None,
        "seller_district": seller.district if seller else None,
        "buyer_name": (buyer.organisation or buyer.name) if buyer else None,
        "buyer_country": buyer.country if buyer else None,
    }


def meeting(ctx: Matching, meeting_id: str) -> dict[str, Any]:
    found = ctx.meetings.get(meeting_id)
    if found is None:
        raise NotFound(f"No meeting {meeting_id}.")
    return found


def record_outcome(ctx: Matching, meeting_id: str, outcome: str) -> dict[str, Any]:
    current = meeting(ctx, meeting_id)
    if current.get("outcome") == outcome:
        return current
    fields = {"outcome": outcome, "status": "held" if outcome == "held" else "no_show"}
    if not ctx.meetings.update(meeting_id, current["version"], fields, [messages.outcome_recorded({**current, **fields})]):
        raise Refused("The meeting changed meanwhile: read it again.")
    return {**current, **fields, "version": current["version"] + 1}


def sign_loi(ctx: Matching, meeting_id: str, details: dict[str, Any]) -> dict[str, Any]:
    current = meeting(ctx, meeting_id)
    if current.get("outcome") not in (None, "held"):
        raise Refused("A Letter of Intent follows a meeting that was held.")
    value = Money.parse(details["value"]["amount"], details["value"]["currency"])
    value_inr = value if value.currency == "INR" else Money.parse(details["value_inr"])
    signed_on: date = details["signed_on"]
    loi = {
        "product": details["product"],
        "quantity": details["quantity"],
        "value": value.to_dict(),
        "value_inr": str(value_inr.amount),
        "delivery_terms": details.get("delivery_terms"),
        "signed_on": signed_on.isoformat(),
        "follow_up": [{"due": (signed_on + timedelta(days=d)).isoformat(), "status": "due"} for d in FOLLOW_UP_DAYS],
        "status": "signed",
    }
    fields = {"loi": loi, "outcome": "held", "status": "held", "next_follow_up_due": loi["follow_up"][0]["due"]}
    if not ctx.meetings.update(meeting_id, current["version"], fields, [messages.loi_signed({**current, **fields})]):
        raise Refused("The meeting changed meanwhile: read it again.")
    return {**current, **fields, "version": current["version"] + 1}


def follow_up(ctx: Matching, meeting_id: str, details: dict[str, Any]) -> dict[str, Any]:
    """Where an LoI stands: in negotiation, an order placed (with its value), or lapsed."""
    current = meeting(ctx, meeting_id)
    loi = current.get("loi")
    if not loi:
        raise Refused("This meeting has no Letter of Intent to follow up.")
    today = datetime.now(timezone.utc).date().isoformat()
    loi = {**loi, "status": details["status"], "history": loi.get("history", []) + [{"on": today, "status": details["status"], "note": details.get("note")}]}
    loi["follow_up"] = [{**f, "status": "done"} if f["due"] <= today or details["status"] != "in_negotiation" else f for f in loi["follow_up"]]
    if details.get("order_value"):
        order = Money.parse(details["order_value"]["amount"], details["order_value"]["currency"])
        loi["order"] = {"value": order.to_dict(), "value_inr": str((order if order.currency == "INR" else Money.parse(details["order_value_inr"])).amount)}
    fields = {"loi": loi, "next_follow_up_due": _next_due(loi)}
    if not ctx.meetings.update(meeting_id, current["version"], fields, [messages.loi_followed_up({**current, "loi": loi})]):
        raise Refused("The meeting changed meanwhile: read it again.")
    return {**current, "loi": loi, "version": current["version"] + 1}


def _next_due(loi: dict[str, Any]) -> str | None:
    return next((f["due"] for f in loi["follow_up"] if f["status"] == "due"), None)


def announce_follow_ups_due(ctx: Matching, today: date) -> int:
    """Mark each LoI follow-up that has come due and announce it, once: the version guard
    means a second worker's attempt on the same meeting changes nothing."""
    announced = 0
    for current in ctx.meetings.follow_ups_due(today.isoformat()):
        follow_up, due_now = [], []
        for days, entry in zip(FOLLOW_UP_DAYS, current["loi"]["follow_up"]):
            if entry["status"] == "due" and entry["due"] <= today.isoformat():
                entry = {**entry, "status": "reminded"}
                due_now.append((entry["due"], days))
            follow_up.append(entry)
        loi = {**current["loi"], "follow_up": follow_up}
        events = [messages.follow_up_due({**current, "loi": loi}, due, days) for due, days in due_now]
        if ctx.meetings.update(current["_id"], current["version"], {"loi": loi, "next_follow_up_due": _next_due(loi)}, events):
            announced += len(events)
    return announced


def rate(ctx: Matching, meeting_id: str, participant_id: str, stars: int, wants_to_continue: bool) -> dict[str, Any]:
    current = meeting(ctx, meeting_id)
    side = "seller" if participant_id == current["seller_id"] else "buyer"
    ratings = {**current.get("ratings", {}), side: {"stars": stars, "wants_to_continue": wants_to_continue}}
    if not ctx.meetings.update(meeting_id, current["version"], {"ratings": ratings}, []):
        raise Refused("The meeting changed meanwhile: try again.")
    return {**current, "ratings": ratings, "version": current["version"] + 1}


def check_in(ctx: Matching, meet_id: str, participant_id: str) -> dict[str, Any]:
    _meet(ctx, meet_id)
    if not ctx.meets.participation(meet_id, participant_id):
        raise NotFound(f"{participant_id} does not take part in this meet.")
    ctx.meets.check_in(meet_id, participant_id)
    return {"meet_id": meet_id, "participant_id": participant_id, "checked_in": True}


def walk_in(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str, slot_id: str | None) -> dict[str, Any]:
    """A meeting agreed on the day, in a slot where both sides and a table are free."""
    meet = _meet(ctx, meet_id)
    live = [m for m in ctx.meetings.for_meet(meet_id) if m["status"] != "cancelled"]
    slot_ids = [s["id"] for s in meet["slots"]]
    if slot_id is not None and slot_id not in slot_ids:
        raise Refused(f"{slot_id} is not a slot of this meet.")
    for index, candidate in enumerate(slot_ids):
        if slot_id and candidate != slot_id:
            continue
        here = [m for m in live if m["slot_id"] == candidate]
        busy = {w for m in here for w in (m["seller_id"], m["buyer_id"])}
        tables = {m["table"] for m in here}
        if seller_id in busy or buyer_id in busy or len(tables) >= meet["tables"]:
            continue
        table = next(t for t in range(1, meet["tables"] + 1) if t not in tables)
        profiles = ctx.profiles.many([seller_id, buyer_id])
        if {seller_id, buyer_id} - profiles.keys():
            raise NotFound("Matching knows neither or only one of them.")
        draft = {"seller_id": seller_id, "buyer_id": buyer_id, "slot_index": index, "slot_id": candidate, "table": table,
                 "kind": "walk_in", "value": 0.0, "reasons": ["agreed on the day"]}
        doc = _meeting_doc(meet, draft, {s["id"]: s for s in meet["slots"]}, profiles)
        if not ctx.meetings.publish(doc, [messages.meeting_event(messages.MEETING_SCHEDULED, doc)]):
            raise Refused("These two already have a meeting at this meet.")
        return doc
    raise Refused("No slot has both of them and a table free.")


def report(ctx: Matching, meet_id: str) -> dict[str, Any]:
    _meet(ctx, meet_id)
    return meet_report(ctx.meetings.for_meet(meet_id))




def report_all(ctx: Matching) -> dict[str, Any]:
    return meet_report(ctx.meetings.all())
