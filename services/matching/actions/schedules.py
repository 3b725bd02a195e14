"""The draft schedule: the meet's scheduling problem, the draft for review and locks."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Callable, NamedTuple

from services.matching.actions.context import Matching, NotFound, Refused, meet_of
from services.matching.domain.places import lock_holder, lock_places
from services.matching.domain.publication import started_slots
from services.matching.occupancy import Taken
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.preferences import DEFAULT_BUYER_FACTOR
from services.matching.domain.scheduling import Candidate, Infeasible, Meeting, Problem
from services.matching.domain.solver import solve
from services.matching.domain.draft_report import draft_report, draft_stats
from services.matching.domain.interpreting import bridges, occupied
from services.matching.domain.meet_changes import placeable
from services.matching.domain.required import DraftRules, apply_rules, required_missing, required_stats
from services.matching.domain.screening import Screen
from services.matching.domain.screening_columns import Ranking, SellerColumns
from services.matching.domain.scoring import score
from services.matching.domain.suggestions import rare_districts
from services.matching.store import PublicationUnfinished

CANDIDATES_PER_BUYER = 60
DEFAULT_TIME_LIMIT = 10.0
Reasons = Callable[[tuple[str, str]], list[str]]
NAMES = ("seller_name", "seller_district", "buyer_name", "buyer_country")


def lock_meeting(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str, slot_id: str, table: int | None) -> dict[str, Any]:
    """Pin a pair to a slot (and table) for the next drafts. The same lock again changes
    nothing; a lock is refused (with the reason) if the slot or table is not the meet's,
    the two are not an approved seller and buyer available then, a published meeting
    holds one of them or the table then, or another lock holds the pair, one of them or
    the table (the last three taken in the database, so two locks at once cannot both
    get one). A person's locks beyond their maximum are refused by the draft, which knows
    the maximum. Raises NotFound, Refused."""
    meet = meet_of(ctx, meet_id)
    if slot_id not in {s["id"] for s in meet["slots"]}:
        raise Refused(f"{slot_id} is not a slot of this meet.")
    if table is not None and not 1 <= table <= meet["tables"]:
        raise Refused(f"The meet has tables 1 to {meet['tables']}.")
    for who, role in ((seller_id, "seller"), (buyer_id, "buyer")):
        taking_part = ctx.meets.participation(meet_id, who)
        if not taking_part or taking_part["status"] != "approved":
            raise NotFound(f"{who} is not an approved participant of this meet.")
        if taking_part["role"] != role:
            raise Refused(f"{who} is not a {role} at this meet.")
        if slot_id not in taking_part.get("availability", []):
            raise Refused(f"{who} is not available in slot {slot_id}.")
    lock = {"seller_id": seller_id, "buyer_id": buyer_id, "slot_id": slot_id, "table": table}
    for placed in ctx.meetings.placements(meet_id):
        if placed["slot_id"] == slot_id and (placed["seller_id"], placed["buyer_id"]) != (seller_id, buyer_id):
            busy = {who for who, _ in occupied([placed])} & {seller_id, buyer_id}
            if busy or placed["table"] == table:
                what = f"{sorted(busy)[0]} has" if busy else f"table {table} has"
                raise Refused(f"{what} a published meeting in slot {slot_id} ({placed['meeting_id']}).")
    try:
        ctx.lock_claims.claim(lock_holder(lock), lock_places(meet_id, lock), meet_id=meet_id)
    except Taken as exc:
        raise Refused(f"The lock clashes with another: {exc}.") from None
    ctx.schedules.put_lock(meet_id, lock)
    return lock


def unlock_meeting(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str) -> None:
    """Remove a pair's lock and give back what it held. Raises NotFound."""
    meet_of(ctx, meet_id)
    lock = next((lock for lock in ctx.schedules.locks(meet_id) if (lock["seller_id"], lock["buyer_id"]) == (seller_id, buyer_id)), None)
    if lock is None:
        raise NotFound(f"{seller_id}/{buyer_id} is not locked.")
    ctx.schedules.remove_lock(meet_id, seller_id, buyer_id)
    ctx.lock_claims.release(lock_holder(lock), lock_places(meet_id, lock))


class MeetProblem(NamedTuple):
    """A meet's scheduling problem as matching knows it now; the reasons of a pair (worked
    out only for the pairs asked about: scoring every pair in words is slow); the approved
    participants' profiles; the organiser's named pairs that cannot be candidates
    (``required.apply_rules``). An approved participant found in the interpreter pool
    (their profile arrived after the pool took their id) is left out of the pool, and out
    of the slots where they interpret a published meeting: the problem keeps participants
    and interpreters apart, so one person in both could otherwise be in two places."""

    problem: Problem
    reasons: Reasons
    profiles: dict[str, ParticipantProfile]
    unmet: list[dict[str, str]]


def problem_of(
    ctx: Matching, meet: dict[str, Any], max_meetings: int, buyer_factor: float = DEFAULT_BUYER_FACTOR, rules: DraftRules = DraftRules(),
) -> MeetProblem:
    """See ``MeetProblem``; ``rules`` say which meetings are required and where they may go.
    Slots that have begun (``ctx.clock()``, in the meet's zone) are nobody's to fill: a
    draft or a repair during the meet places new meetings in slots still to come only
    (the meetings already published there are kept by the caller). A historical meet
    (recorded after it happened) is drafted in all its slots."""
    approved = ctx.meets.approved(meet["_id"])
    profiles = ctx.profiles.many([a["participant_id"] for a in approved])
    begun = set() if meet.get("historical") else set(started_slots(meet["slots"], meet["timezone"], ctx.clock()))
    slot_index = {s["id"]: i for i, s in enumerate(meet["slots"]) if s["id"] not in begun}
    availability = {a["participant_id"]: frozenset(slot_index[s] for s in a["availability"] if s in slot_index) for a in approved}
    sellers = [p for p in profiles.values() if p.role == "seller"]
    buyers = [p for p in profiles.values() if p.role == "buyer"]
    said = {(p["participant_id"], p["counterpart_id"]): p["preference"] for p in ctx.preferences.for_meet(meet["_id"])}
    rare = rare_districts(sellers)
    ranking = Ranking(SellerColumns(Screen(sellers + buyers, rare)), said, buyer_factor)
    stored_pool = ctx.interpreters.for_meet(meet["_id"])
    pool = [i for i in stored_pool if i["interpreter_id"] not in availability]
    in_both = {i["interpreter_id"] for i in stored_pool} & availability.keys()
    if in_both:
        for placed in ctx.meetings.placements(meet["_id"]):
            if placed.get("interpreter") in in_both and placed["slot_id"] in slot_index:
                availability[placed["interpreter"]] -= {slot_index[placed["slot_id"]]}
    candidates, excluded = [], set()
    for buyer in buyers:
        scored, pair_excluded = ranking.sellers_for(buyer.id, CANDIDATES_PER_BUYER)
        excluded |= pair_excluded
        candidates += [
            Candidate(seller_id, buyer.id, value, kind, interpreters=_interpreters_for(profiles[seller_id], buyer, pool))
            for value, kind, seller_id in scored
        ]

    def candidate_of(seller_id: str, buyer_id: str) -> Candidate | None:
        valued = ranking.value_of(seller_id, buyer_id)
        if valued is None:
            return None
        return Candidate(seller_id, buyer_id, *valued, interpreters=_interpreters_for(profiles[seller_id], profiles[buyer_id], pool))

    roles = {who: profile.role for who, profile in profiles.items()}
    candidates, unmet = apply_rules(candidates, rules, said, roles, candidate_of)
    interpreter_availability = {i["interpreter_id"]: frozenset(slot_index[s] for s in i["availability"] if s in slot_index) for i in pool}
    problem = Problem(
        [s["id"] for s in meet["slots"]], meet["tables"], availability, candidates,
        default_max_meetings=max_meetings, excluded=frozenset(excluded), interpreter_availability=interpreter_availability,
        days=days_of(meet["slots"]), objectives=rules.objectives,
    )

    def reasons(pair: tuple[str, str]) -> list[str]:
        seller, buyer = profiles.get(pair[0]), profiles.get(pair[1])
        if seller is None or buyer is None or pair in excluded:
            return []
        return list(score(seller, buyer, rare).reasons)

    return MeetProblem(problem, reasons, profiles, unmet)


def _interpreters_for(seller: ParticipantProfile, buyer: ParticipantProfile, pool: list[dict]) -> frozenset[str] | None:
    """None when the two share a language; else the interpreters who speak one language of each."""
    if set(seller.languages) & set(buyer.languages):
        return None
    return frozenset(i["interpreter_id"] for i in pool if bridges(i["languages"], seller.languages, buyer.languages))


def days_of(slots: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(first, last) slot index of each day of a meet's slots (slots of a day are listed together)."""
    days: list[tuple[int, int]] = []
    for i, slot in enumerate(slots):
        if days and slots[days[-1][0]].get("day") == slot.get("day"):
            days[-1] = (days[-1][0], i)
        else:
            days.append((i, i))
    return days


def draft_schedule(
    ctx: Matching, meet_id: str, max_meetings: int, caps: dict[str, int] | None = None, buyer_factor: float = DEFAULT_BUYER_FACTOR,
    time_limit: float = DEFAULT_TIME_LIMIT, seen: dict[str, Any] | None = None, rules: DraftRules = DraftRules(),
) -> dict[str, Any]:
    """Build a draft for review within ``time_limit`` seconds of solving; ``rules`` say which
    meetings are required (placed before any other, or listed in ``required_missing`` with
    the reason) and in which slots named pairs may meet. Meetings already
    published stay as they are (locked) and are marked ``published``; a pair whose meeting
    was cancelled is not drafted again (a pair has one meeting id). The draft reports how
    good it is and who and what it left out (``draft_report``). ``seen``: how far matching
    had consumed registration's events when drafting (``shared/freshness.py``), recorded
    with the draft. Raises NotFound, Refused
    (locks that cannot all be kept, with the reason, or a publication of the previous
    draft still unfinished)."""
    meet = meet_of(ctx, meet_id)
    problem, reasons, profiles, unmet = problem_of(ctx, meet, max_meetings, buyer_factor, rules)
    problem.max_meetings = dict(caps or {})
    problem.locked, taken = _kept_meetings(ctx, meet_id, problem)
    started = datetime.now(timezone.utc)
    try:
        solution = solve(problem, time_limit)
    except Infeasible as exc:
        raise Refused(f"The locked meetings cannot all be kept: {exc}.") from None
    schedule = solution.schedule
    draft = {
        "id": uuid.uuid4().hex,
        "built_at": started,
        "max_meetings": max_meetings,
        "registration_seen": seen,
        "meetings": [{**draft_meeting(m, problem, reasons, profiles), "published": m.pair in taken} for m in schedule.meetings],
        "stats": {
            "meetings": len(schedule.meetings), "value": schedule.value, "upper_bound": solution.value_bound, "gap": solution.gap,
            "requested_pairs": sum(1 for c in problem.candidates if c.kind != "recommended"),
            "requested_scheduled": sum(1 for m in schedule.meetings if m.kind != "recommended"),
            "unscheduled_requests": sum(1 for c in schedule.unscheduled if c.kind != "recommended"),
            "mean_idle_slots": round(solution.idle_slots / len(solution.idle_per_person), 3) if solution.idle_per_person else 0,
            "objectives": list(problem.objectives),
            **draft_stats(solution, problem),
            **required_stats(problem, schedule.meetings, unmet),
        },
    }
    try:
        ctx.schedules.save_draft(meet_id, draft)
    except PublicationUnfinished:
        raise Refused("The previous draft's publication has not finished: publish again to complete it, then draft.") from None
    report = draft_report(solution, problem)
    report["required_missing"] = required_missing(problem, report["left_out"], unmet)
    ctx.schedules.save_report(meet_id, draft["id"], report)
    return {**draft, **report}


REPORT_FIELDS = ("left_out", "without_meetings", "per_person", "required_missing")


def stored_draft(ctx: Matching, meet_id: str) -> dict[str, Any]:
    """The draft under review as ``draft_schedule`` answered it (``id``, ``stats``,
    ``meetings``, ``registration_seen`` and the report: ``REPORT_FIELDS``), so that another
    organiser can review the same draft without building one (which would make it the
    latest). Raises NotFound (no draft built for the meet)."""
    meet_of(ctx, meet_id)
    draft = (ctx.schedules.get(meet_id) or {}).get("draft")
    if not draft:
        raise NotFound(f"No draft has been built for meet {meet_id}.")
    report = ctx.schedules.report(meet_id, draft["id"]) or {}
    return {**draft, **{k: report.get(k, {} if k == "per_person" else []) for k in REPORT_FIELDS}}


def _kept_meetings(ctx: Matching, meet_id: str, problem: Problem) -> tuple[list[Meeting], set[tuple[str, str]]]:
    """The meetings a draft may not move (published ones still live, in their slot as the
    meet now lists it, and the organiser's locks) and the pairs already published;
    cancelled pairs, and those of meetings that began before the meet changed under them
    (outside its slots or tables now, ``meet_changes.placeable``), join ``problem.excluded``.
    Someone with a published meeting attends its slot, and its interpreter works it (those
    begun are history, whatever the pool says now; those to come were handed over when the
    interpreter changed, ``actions.interpreters``). Raises Refused for a lock on a
    cancelled pair."""
    still_here = problem.availability.keys()
    every_meeting = ctx.meetings.placements(meet_id, live=False)
    gone = ctx.meetings.cancelled(meet_id)
    live = {p["meeting_id"] for p in every_meeting} - gone
    slot_index = {slot: i for i, slot in enumerate(problem.slots)}
    kept = [
        p for p in every_meeting
        if p["meeting_id"] in live and p["seller_id"] in still_here and p["buyer_id"] in still_here
    ]
    published = [as_meeting({**p, "slot_index": slot_index[p["slot_id"]]}) for p in kept if placeable(p, slot_index, problem.tables)]
    for meeting in published:
        for who in meeting.pair:
            problem.availability[who] = problem.availability[who] | {meeting.slot}
    taken = {m.pair for m in published}
    interpreted: dict[str, set[int]] = {}
    for m in published:
        if m.interpreter:
            interpreted.setdefault(m.interpreter, set()).add(m.slot)
    pool = problem.interpreter_availability
    problem.interpreter_availability = {i: pool.get(i, frozenset()) | frozenset(interpreted.get(i, ())) for i in pool.keys() | interpreted.keys()}
    history = {(p["seller_id"], p["buyer_id"]) for p in kept if not placeable(p, slot_index, problem.tables)}
    why_cancelled = {m["_id"]: m.get("cancel_reason") or "cancelled" for m in ctx.meetings.many(p["meeting_id"] for p in every_meeting if p["meeting_id"] not in live)}
    problem.had_meeting = {
        **{pair: "was held before the meet changed under it" for pair in history},
        **{(p["seller_id"], p["buyer_id"]): f"was cancelled ({why_cancelled.get(p['meeting_id'], 'cancelled')})" for p in every_meeting if p["meeting_id"] not in live},
    }
    cancelled = problem.had_meeting.keys() - history
    problem.excluded = problem.excluded | problem.had_meeting.keys()
    pinned = []
    for lock in ctx.schedules.locks(meet_id):
        pair = (lock["seller_id"], lock["buyer_id"])
        if pair in cancelled:
            raise Refused(f"{pair[0]}/{pair[1]} is locked, and their meeting was cancelled: a pair meets once. Remove the lock.")
        if lock["slot_id"] not in slot_index:
            raise Refused(f"{pair[0]}/{pair[1]} is locked in slot {lock['slot_id']}, which the meet no longer has: "
                          f"remove the lock (DELETE /v1/meets/{meet_id}/schedule/locks/{pair[0]}/{pair[1]}) or lock the pair in another slot.")
        if pair not in taken:
            slot = slot_index[lock["slot_id"]]
            pinned.append(Meeting(pair[0], pair[1], slot, lock.get("table") or 0, 0.0, "locked", locked=True))
    return published + pinned, taken


def draft_meeting(m: Meeting, problem: Problem, reasons: Reasons, profiles: dict[str, ParticipantProfile]) -> dict[str, Any]:
    """A meeting of a draft as stored and shown for review, with the names it is published under."""
    return {
        "seller_id": m.seller_id, "buyer_id": m.buyer_id, "slot_index": m.slot, "slot_id": problem.slots[m.slot],
        "table": m.table, "kind": m.kind, "value": m.value, "reasons": reasons(m.pair), "interpreter": m.interpreter,
        **party_names(profiles.get(m.seller_id), profiles.get(m.buyer_id)),
    }


def party_names(seller: ParticipantProfile | None, buyer: ParticipantProfile | None) -> dict[str, str | None]:
    """The ``NAMES`` fields of a meeting between them (None for a side matching does not know)."""
    return {
        "seller_name": (seller.organisation or seller.name) if seller else None,
        "seller_district": seller.district if seller else None,
        "buyer_name": (buyer.organisation or buyer.name) if buyer else None,
        "buyer_country": buyer.country if buyer else None,
    }


def as_meeting(doc: dict[str, Any]) -> Meeting:
    """A published meeting (document or placement) as a locked meeting of the scheduler."""
    return Meeting(doc["seller_id"], doc["buyer_id"], doc["slot_index"], doc["table"], doc.get("value", 0.0), doc.get("kind", "recommended"),
                   locked=True, interpreter=doc.get("interpreter"))
