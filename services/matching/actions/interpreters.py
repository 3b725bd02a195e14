"""The meet's interpreter pool: adding, changing and removing interpreters, and handing
their published meetings still to come to another interpreter when they no longer cover
them (``domain.interpreting``).

One change of a meet's pool runs at a time (a lease on the pool, ``CHANGE_SECONDS``; a
second is refused, 409, and a lease whose process died runs out): two at once could each
read the other's interpreter as free, and hand a meeting to someone who is, meanwhile,
leaving its slot. A publication holds the same lease: it reads the pool once, and a change
meanwhile would miss the meetings of chunks not yet written. A change that would leave a published meeting without an interpreter who covers it is
refused as a whole (nothing changes), naming the meetings: the organiser adds an
interpreter who can take them, or cancels them, first. Otherwise each meeting handed over
is taken in the database first (the new interpreter's place in its slot, so two changes at
once cannot give one interpreter two meetings), then updated with its event (participants'
agendas and reminders follow), recorded on the meet's list, and the old place given back.
Meetings whose interpreter stays get the new name and languages too. A retry after a stop
part-way finds the meetings already handed over and finishes the rest.

A participant who gives up a language after publication (a newer profile without it) may
leave a meeting still to come whose two sides no longer share a language and whom no
interpreter of theirs bridges. Such a meeting is handed over the same way, to a free
interpreter of the pool who covers the pair in its slot (announced again as scheduled),
or, when there is none, cancelled (``no_shared_language``). That a profile gave up a
language is noted before it is stored and the note removed once every meet of theirs is
followed, so a redelivery after a stop part-way finishes the work and a later one does
nothing. Meetings that have begun, that share a language, or whose interpreter bridges
them are left as they are.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from shared.correlation import new_id
from shared.meeting_times import has_begun

from services.matching import messages
from services.matching.actions.context import Matching, NotFound, Refused, meet_of
from services.matching.actions.meet_changes import list_as_stored
from services.matching.actions.occupying import cancel_meeting, claim_fields
from services.matching.domain.interpreting import NO_SHARED_LANGUAGE, Assignment, Interpreter, hand_over, occupied, understood
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.places import interpreter_places
from services.matching.domain.publication import started_slots
from services.matching.meetings_store import placement

__all__ = ["set_interpreter", "remove_interpreter", "interpreters", "note_languages", "follow_languages", "one_change_at_a_time"]

ATTEMPTS = 5  # reads of a meeting another change is updating at the same time
CHANGE_SECONDS = 30  # a change's hold on the pool: gunicorn's worker timeout, so no live request outlasts it
WAIT_POLL_SECONDS = 0.5  # how often a consumer waiting for the pool asks again


def set_interpreter(ctx: Matching, meet_id: str, interpreter_id: str, details: dict[str, Any]) -> dict[str, Any]:
    """Add or change an interpreter of the meet's pool (``details``: name, languages,
    availability as slot ids). Raises NotFound, Refused (unknown slots; an id that is a
    registered participant's: the schedule keeps the pool and the participants apart, so
    one person in both could interpret during their own meeting; a published meeting they
    would no longer cover that no one else can take)."""
    meet = meet_of(ctx, meet_id)
    if ctx.profiles.get(interpreter_id) is not None:
        raise Refused(f"{interpreter_id} is a registered participant; the interpreter pool takes people who do not take part in "
                      "meetings of their own. Add them under an id of the pool's own.")
    unknown = sorted(set(details["availability"]) - {s["id"] for s in meet["slots"]})
    if unknown:
        raise Refused(f"Not slots of this meet: {', '.join(unknown[:5])}.")
    now = Interpreter(interpreter_id, details["name"], tuple(details["languages"]), frozenset(details["availability"]))
    with one_change_at_a_time(ctx, meet_id):
        _hand_over(ctx, meet, interpreter_id, now)
        ctx.interpreters.put(meet_id, interpreter_id, details["name"], details["languages"], details["availability"])
    return {"interpreter_id": interpreter_id, **details}


def remove_interpreter(ctx: Matching, meet_id: str, interpreter_id: str) -> None:
    """Take an interpreter out of the pool, handing their meetings still to come to others;
    meetings they have interpreted keep their name. Raises NotFound (no such interpreter),
    Refused (a meeting no one else can take)."""
    meet = meet_of(ctx, meet_id)
    with one_change_at_a_time(ctx, meet_id):
        if interpreter_id not in {i["interpreter_id"] for i in ctx.interpreters.for_meet(meet_id)}:
            raise NotFound(f"No interpreter {interpreter_id} in this meet's pool.")
        _hand_over(ctx, meet, interpreter_id, None)
        ctx.interpreters.remove(meet_id, interpreter_id)


def interpreters(ctx: Matching, meet_id: str) -> list[dict[str, Any]]:
    """The meet's interpreter pool by name: id, name, languages, and the slots of the meet as
    it is now that they work, in the meet's order (slots an edit of the meet took away are
    not listed, so what is read back can be sent back). Raises NotFound."""
    slot_ids = [s["id"] for s in meet_of(ctx, meet_id)["slots"]]
    pool = sorted(ctx.interpreters.for_meet(meet_id), key=lambda i: (i["name"], i["interpreter_id"]))
    return [{**{k: i[k] for k in ("interpreter_id", "name", "languages")}, "availability": [s for s in slot_ids if s in set(i["availability"])]}
            for i in pool]


def note_languages(ctx: Matching, profile: ParticipantProfile) -> None:
    """Before ``profile`` is stored: note it when it is newer than the stored profile and
    gives up one of its languages (``follow_languages`` then looks at their meetings)."""
    stored = ctx.profiles.get(profile.id)
    if stored is not None and stored.version < profile.version and set(stored.languages) - set(profile.languages):
        ctx.profiles.note_languages_dropped(profile.id)


def follow_languages(ctx: Matching, participant_id: str) -> None:
    """When the participant gave up a language (noted by ``note_languages``): in every meet
    of theirs, hand each published meeting still to come whose sides no longer understand
    each other to a free interpreter who bridges them, else cancel it (see the module);
    then remove the note. Raises Refused when another change held a meet's pool throughout
    the wait or took a substitute's place meanwhile: the note stays, and the consumer's
    next try of the event finishes the work."""
    if not ctx.profiles.languages_dropped(participant_id):
        return
    for meet_id in ctx.meets.meets_of(participant_id):
        if ctx.meetings.placements(meet_id, participant_id):
            with one_change_at_a_time(ctx, meet_id, wait=CHANGE_SECONDS + 5):
                _bridge_or_cancel(ctx, meet_id, participant_id)
    ctx.profiles.languages_followed(participant_id)


def _bridge_or_cancel(ctx: Matching, meet_id: str, participant_id: str) -> None:
    """Hand over or cancel the participant's meetings in the meet that no longer have a
    language in common or an interpreter bridging them; list them as stored."""
    live = ctx.meetings.placements(meet_id)
    listed = [p for p in live if participant_id in (p["seller_id"], p["buyer_id"])]
    now = ctx.clock()
    docs = {d["_id"]: d for d in ctx.meetings.many(p["meeting_id"] for p in listed)}
    upcoming = [d for d in docs.values() if d["status"] == "scheduled" and not has_begun(d, now)]
    profiles = ctx.profiles.many(sorted({w for d in upcoming for w in (d["seller_id"], d["buyer_id"])}))
    pool = [Interpreter(i["interpreter_id"], i["name"], tuple(i["languages"]), frozenset(i["availability"])) for i in ctx.interpreters.for_meet(meet_id)]
    spoken = {i.interpreter_id: i.languages for i in pool}
    stranded = []
    for doc in upcoming:
        if doc["seller_id"] in profiles and doc["buyer_id"] in profiles:
            meeting = Assignment(doc["_id"], doc["slot_id"], frozenset(profiles[doc["seller_id"]].languages), frozenset(profiles[doc["buyer_id"]].languages))
            interpreter = doc.get("interpreter")
            if not understood(meeting, spoken.get(interpreter, doc.get("interpreter_languages")) if interpreter else None):
                stranded.append(meeting)
    plan = hand_over(stranded, None, pool, occupied(live))
    _claim(ctx, meet_id, docs, plan.moves)
    for meeting_id, substitute in plan.moves.items():
        before = docs[meeting_id].get("interpreter")
        handed = _interpret(ctx, meeting_id, before, substitute)
        if handed is None:
            ctx.occupancy.release(meeting_id, interpreter_places(meet_id, docs[meeting_id], substitute.interpreter_id))
        elif before:
            ctx.occupancy.release(meeting_id, interpreter_places(meet_id, docs[meeting_id], before))
    for meeting_id in plan.uncovered:
        cancel_meeting(ctx, docs[meeting_id], NO_SHARED_LANGUAGE)
    list_as_stored(ctx, meet_id, listed, {d["_id"]: d for d in ctx.meetings.many(docs)})


@contextmanager
def one_change_at_a_time(ctx: Matching, meet_id: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the meet's pool for the block, waiting up to ``wait`` seconds for another change
    (or a publication, which holds it too: ``publishing``) to end; Refused if it holds the
    pool still."""
    token, deadline = new_id(), time.monotonic() + wait
    while True:
        now = datetime.now(timezone.utc)
        if ctx.interpreters.begin_change(meet_id, token, now, now + timedelta(seconds=CHANGE_SECONDS)):
            break
        if time.monotonic() >= deadline:
            raise Refused("Another change of this meet's interpreter pool, or a publication of its schedule, is under way; try again in a moment.")
        time.sleep(WAIT_POLL_SECONDS)
    try:
        yield
    finally:
        ctx.interpreters.end_change(meet_id, token)


def _hand_over(ctx: Matching, meet: dict[str, Any], interpreter_id: str, now: Interpreter | None) -> None:
    """Hand the interpreter's meetings still to come that ``now`` (None: gone) does not
    cover to others, and rename those it keeps (see the module). Raises Refused."""
    meet_id = meet["_id"]
    live = ctx.meetings.placements(meet_id)
    begun = set(started_slots(meet["slots"], meet["timezone"], ctx.clock()))
    theirs = [p for p in live if p.get("interpreter") == interpreter_id and p["slot_id"] not in begun]
    if not theirs:
        return
    profiles = ctx.profiles.many(sorted({w for p in theirs for w in (p["seller_id"], p["buyer_id"])}))

    def languages(who: str) -> frozenset[str]:
        return frozenset(profiles[who].languages) if who in profiles else frozenset()

    assignments = [Assignment(p["meeting_id"], p["slot_id"], languages(p["seller_id"]), languages(p["buyer_id"])) for p in theirs]
    others = [Interpreter(i["interpreter_id"], i["name"], tuple(i["languages"]), frozenset(i["availability"]))
              for i in ctx.interpreters.for_meet(meet_id) if i["interpreter_id"] != interpreter_id]
    plan = hand_over(assignments, now, others, occupied(live))
    where = {p["meeting_id"]: p for p in theirs}
    if plan.uncovered:
        named = ", ".join(f"{where[m]['seller_id']}/{where[m]['buyer_id']} in slot {where[m]['slot_id']}" for m in plan.uncovered[:10])
        raise Refused(f"Interpreter {interpreter_id} has published meetings they would no longer cover and no other interpreter of the pool "
                      f"is free to take: {named}. Add an interpreter who covers them, or cancel those meetings, first.")
    _claim(ctx, meet_id, where, plan.moves)
    for meeting_id, substitute in plan.moves.items():
        handed = _interpret(ctx, meeting_id, interpreter_id, substitute)
        if handed is None:
            ctx.occupancy.release(meeting_id, interpreter_places(meet_id, where[meeting_id], substitute.interpreter_id))
            continue
        ctx.meetings.relist(meet_id, {meeting_id: placement(handed)})
        ctx.occupancy.release(meeting_id, interpreter_places(meet_id, where[meeting_id], interpreter_id))
    if now is not None:
        for meeting_id in plan.kept:
            _interpret(ctx, meeting_id, interpreter_id, now)


def _claim(ctx: Matching, meet_id: str, placements: dict[str, dict], moves: dict[str, Interpreter]) -> None:
    """Take each substitute's place in the slot of the meeting they take over, all or none.
    Raises Refused when another change took one meanwhile."""
    claims = []
    for meeting_id, substitute in moves.items():
        placed = placements[meeting_id]
        claims.append((meeting_id, interpreter_places(meet_id, placed, substitute.interpreter_id),
                       claim_fields({"meet_id": meet_id, "slot_id": placed["slot_id"]})))
    taken, refused = ctx.occupancy.claim_many(claims)
    if refused:
        for holder, keys in taken.items():
            ctx.occupancy.release(holder, keys)
        raise Refused(f"Meetings changed meanwhile ({'; '.join(sorted({r for rs in refused.values() for r in rs})[:5])}): try again.")


def _interpret(ctx: Matching, meeting_id: str, interpreter_id: str, by: Interpreter) -> dict[str, Any] | None:
    """The published meeting interpreted by ``by`` (name and languages copied), with its
    event, unless it already is; read again when another change to it came first. The
    meeting as stored then, or None when it is cancelled, another interpreter than
    ``interpreter_id`` holds it, or it kept changing."""
    fields = {"interpreter": by.interpreter_id, "interpreter_name": by.name, "interpreter_languages": list(by.languages)}
    for _ in range(ATTEMPTS):
        doc = ctx.meetings.get(meeting_id)
        if doc is None or doc.get("status") != "scheduled" or doc.get("interpreter") not in (interpreter_id, by.interpreter_id):
            return None
        if all(doc.get(k) == v for k, v in fields.items()):
            return doc
        changed = {**doc, **fields, "version": doc["version"] + 1}
        if ctx.meetings.update(meeting_id, doc["version"], fields, [messages.meeting_event(messages.MEETING_SCHEDULED, changed)]):
            return changed
    return None
