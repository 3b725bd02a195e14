"""On the day: check-ins and meetings agreed there."""
from __future__ import annotations

from typing import Any

from services.matching import messages
from services.matching.actions.context import Invalid, Matching, NotFound, Refused, meet_of
from services.matching.actions.interpreters import one_change_at_a_time
from services.matching.actions.occupying import add_meeting
from services.matching.actions.publishing import POOL_WAIT_SECONDS, interpreter_pool, meeting_doc
from services.matching.domain import walk_ins
from services.matching.domain.interpreting import Interpreter, bridges
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.publication import started_slots


def check_in(ctx: Matching, meet_id: str, participant_id: str) -> dict[str, Any]:
    """Mark a participant present. Raises NotFound."""
    meet_of(ctx, meet_id)
    if not ctx.meets.participation(meet_id, participant_id):
        raise NotFound(f"{participant_id} does not take part in this meet.")
    ctx.meets.check_in(meet_id, participant_id)
    return {"meet_id": meet_id, "participant_id": participant_id, "checked_in": True}


def walk_in(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str, slot_id: str | None) -> dict[str, Any]:
    """A meeting agreed on the day between a seller and a buyer approved in the meet who have
    no meeting yet (``domain.walk_ins``), in a slot still to come where both sides and a
    table are free and, for a pair who share no language, an interpreter of the pool who
    bridges them (its places, the interpreter's too, taken in the database first: of two
    walk-ins at once for one place, one is refused). Returns the meeting document. Raises
    NotFound (meet), Invalid (``seller_id``/``buyer_id`` not a seller/buyer approved in the
    meet, or one person; ``slot_id`` not the meet's), Refused (the pair has a meeting, the
    slot has begun, no free place or interpreter)."""
    meet = meet_of(ctx, meet_id)
    slot_ids = [s["id"] for s in meet["slots"]]
    if slot_id is not None and slot_id not in slot_ids:
        raise Invalid(f"{slot_id} is not a slot of this meet.", "slot_id")
    begun = started_slots(meet["slots"], meet["timezone"], ctx.clock())
    if slot_id in begun:
        raise Refused(f"{slot_id} has already begun: choose a later slot, or leave it out for the first free one.")
    profiles = _the_pair(ctx, meet_id, seller_id, buyer_id)
    if walk_ins.have_met(ctx.meetings.placements(meet_id), seller_id, buyer_id):
        raise Refused("These two already have a meeting at this meet.")
    seller, buyer = profiles[seller_id], profiles[buyer_id]
    if set(seller.languages) & set(buyer.languages):
        return _add(ctx, meet, profiles, seller_id, buyer_id, slot_id, begun, [])
    with one_change_at_a_time(ctx, meet_id, wait=POOL_WAIT_SECONDS):
        pool = ctx.interpreters.for_meet(meet_id)
        if not any(bridges(i["languages"], seller.languages, buyer.languages) for i in pool):
            raise Refused(f"{seller_id} and {buyer_id} share no language and no interpreter of the meet's pool speaks one of each: "
                          "add one who does first.")
        return _add(ctx, meet, profiles, seller_id, buyer_id, slot_id, begun, pool)


def _the_pair(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str) -> dict[str, ParticipantProfile]:
    """The profiles of the two, checked by ``walk_ins.check_pair`` against their approved
    participation in the meet and their roles. Raises Invalid naming the field."""
    approved = [who for who in {seller_id, buyer_id} if (ctx.meets.participation(meet_id, who) or {}).get("status") == "approved"]
    profiles = ctx.profiles.many(approved)
    try:
        walk_ins.check_pair(seller_id, buyer_id, {who: profile.role for who, profile in profiles.items()})
    except walk_ins.WrongPair as exc:
        raise Invalid(str(exc), exc.field) from None
    return profiles


def _add(ctx: Matching, meet: dict[str, Any], profiles: dict[str, ParticipantProfile], seller_id: str, buyer_id: str,
         slot_id: str | None, begun: set[str], pool: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the walk-in at the place ``walk_ins.place`` finds, with its event (``pool``: the
    meet's interpreter pool as stored, empty when the pair share a language). Raises Refused."""
    seller, buyer = profiles[seller_id], profiles[buyer_id]
    interpreters = [Interpreter(i["interpreter_id"], i["name"], tuple(i["languages"]), frozenset(i["availability"])) for i in pool]
    found = walk_ins.place(ctx.meetings.placements(meet["_id"]), [s["id"] for s in meet["slots"]], meet["tables"],
                           (seller_id, seller.languages), (buyer_id, buyer.languages), interpreters, slot_id, begun)
    if found is None:
        where = f"Slot {slot_id} does not have" if slot_id else "No slot still to come has"
        raise Refused(f"{where} both of them, a table{' and an interpreter who bridges them' if pool else ''} free.")
    index, slot, table, interpreter = found
    draft = {"seller_id": seller_id, "buyer_id": buyer_id, "slot_index": index, "slot_id": slot, "table": table, "interpreter": interpreter,
             "kind": "walk_in", "value": 0.0, "reasons": ["agreed on the day"]}
    doc = meeting_doc(meet, draft, {s["id"]: s for s in meet["slots"]}, profiles, interpreter_pool(ctx, meet["_id"], pool))
    if not add_meeting(ctx, doc, [messages.meeting_event(messages.MEETING_SCHEDULED, doc)]):
        raise Refused("These two already have a meeting at this meet.")
    return doc
