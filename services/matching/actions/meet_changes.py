"""Keeping a published schedule true to its meet: after the organiser edits the meet, or a
participant's availability narrows (``services.matching.domain.meet_changes`` says what
becomes of each meeting).

Every step is derived from what is stored, so a redelivered event, or one that follows a
crash part-way, finishes the work and announces nothing twice: a meeting's change and its
event are one versioned write; then the meet's list and the places follow the meeting
documents (a cancelled meeting is listed as cancelled and its places given back; a moved
one's placement is rewritten and its old table given back).
"""
from __future__ import annotations

from typing import Any, Mapping

from shared.meeting_times import has_begun

from services.matching import messages
from services.matching.actions.context import Matching
from services.matching.actions.occupying import claim_fields, vacate
from services.matching.domain.meet_changes import UNAVAILABLE, Change, follow_the_meet, layout
from services.matching.domain.places import meeting_places, place_key
from services.matching.meetings_store import placement
from services.matching.occupancy import Taken

ROUNDS = 3


class Unsettled(RuntimeError):
    """Meetings kept changing under the reconciliation (the consumer retries the event)."""


def follow_meet(ctx: Matching, meet_id: str) -> list[Change]:
    """Bring the meet's published meetings in line with the meet as stored: see
    ``follow_the_meet``. A meeting counts as begun once its slot has begun in its own time
    zone or in the meet's (a corrected zone can put its start in the past; on-the-day work
    already goes by the meet's): it is left as it was. Returns the changes made (none when
    already in line). Raises Unsettled if meetings kept changing meanwhile. The meet's
    ``layout`` last followed is kept on its list of meetings, so a meet event that changes
    no slot, table or time zone (a status change, a new name) costs two reads, not a read
    of every meeting."""
    meet = ctx.meets.meet(meet_id)
    if meet is None:
        return []
    now = layout(meet["slots"], meet["tables"], meet["timezone"])
    made = []
    if ctx.meetings.followed(meet_id) != now:
        made = _settle(ctx, meet_id, None)
        ctx.meetings.mark_followed(meet_id, now)
    return made + _follow_awaited(ctx, meet)


def follow_availability(ctx: Matching, participation: Mapping[str, Any]) -> list[Change]:
    """Cancel an approved participant's published meetings in slots their stored
    ``availability`` no longer lists (only that: moves and new times are the meet's to
    follow, seeing every meeting). Returns the changes made. Raises Unsettled.

    Availability written on a meet version matching has not stored yet (an edit took
    slots away, and its event, on another partition, is still to come) is followed once
    that version is here (``follow_meet``): read now, a meeting in a slot the edit removed
    would look like one its person gave up, and be cancelled as ``unavailable`` rather
    than ``meet_changed``. The note is written before the meet is read again, so a meet
    event handled meanwhile cannot miss it."""
    wanted = participation.get("meet_version")
    if wanted is not None and _meet_version(ctx, participation["meet_id"]) < wanted:
        ctx.meets.await_meet_version(participation["meet_id"], participation["participant_id"], wanted)
        if _meet_version(ctx, participation["meet_id"]) < wanted:
            return []
        ctx.meets.meet_version_followed(participation["meet_id"], participation["participant_id"], wanted)
    return _settle(ctx, participation["meet_id"], participation)


def _meet_version(ctx: Matching, meet_id: str) -> int:
    return (ctx.meets.meet(meet_id) or {}).get("version", 0)


def _follow_awaited(ctx: Matching, meet: Mapping[str, Any]) -> list[Change]:
    """Follow the availability of each participant noted as waiting for a meet version
    that is now here (after the meet's own changes, so a slot it removed is ``meet_changed``)."""
    made: list[Change] = []
    for note in ctx.meets.meet_versions_awaited(meet["_id"]):
        if note["version"] > meet.get("version", 0):
            continue
        participation = ctx.meets.participation(meet["_id"], note["participant_id"])
        if participation and participation["status"] == "approved":
            made += _settle(ctx, meet["_id"], participation)
        ctx.meets.meet_version_followed(meet["_id"], note["participant_id"], note["version"])
    return made


def _settle(ctx: Matching, meet_id: str, participation: Mapping[str, Any] | None) -> list[Change]:
    made: list[Change] = []
    for _ in range(ROUNDS):
        listed = ctx.meetings.placements(meet_id, participation["participant_id"] if participation else None, live=False)
        if not listed:
            return made
        meet = ctx.meets.meet(meet_id)
        if meet is None:
            return made
        docs = {d["_id"]: d for d in ctx.meetings.many(p["meeting_id"] for p in listed)}
        attends = {participation["participant_id"]: set(participation.get("availability") or ())} if participation else None
        now = ctx.clock()
        begun = {d["_id"] for d in docs.values() if has_begun(d, now) or has_begun({**d, "timezone": meet["timezone"]}, now)}
        locked = {(lock["slot_id"], lock["table"]) for lock in ctx.schedules.locks(meet_id) if lock.get("table")}
        changes = follow_the_meet(docs.values(), meet["slots"], meet["tables"], begun, attends, locked, meet["timezone"])
        if participation:
            changes = [c for c in changes if c.reason == UNAVAILABLE]  # one person's meetings cannot tell which tables are free
        raced = False
        for change in changes:
            if _make(ctx, docs[change.meeting_id], change):
                made.append(change)
            else:
                raced = True
        docs = {d["_id"]: d for d in ctx.meetings.many(docs)}
        list_as_stored(ctx, meet_id, listed, docs)
        if not raced:
            return made
    raise Unsettled(f"The meetings of meet {meet_id} kept changing while following the meet; retry.")


def _make(ctx: Matching, doc: dict[str, Any], change: Change) -> bool:
    """Write one meeting's change (with its event, if announced) unless its version moved
    on; a new table is taken first, and given back if the write fails. False if the
    meeting changed meanwhile or the new table was taken."""
    if not change.announced:
        return ctx.meetings.set_quietly(doc["_id"], doc["version"], change.fields)
    changed = {**doc, **change.fields, "version": doc["version"] + 1}
    took: list[str] = []
    if "table" in change.fields:
        try:
            took = ctx.occupancy.claim(doc["_id"], meeting_places(doc["meet_id"], changed), **claim_fields(changed))
        except Taken:
            return False
    event = messages.meeting_event(messages.MEETING_CANCELLED if change.cancels else messages.MEETING_SCHEDULED, changed)
    if ctx.meetings.update(doc["_id"], doc["version"], change.fields, [event]):
        return True
    ctx.occupancy.release(doc["_id"], took)
    return False


def list_as_stored(ctx: Matching, meet_id: str, listed: list[dict[str, Any]], docs: dict[str, dict[str, Any]]) -> None:
    """Make the meet's list and the places say what the meeting documents say: cancelled
    ones listed as cancelled, their places given back; placements rewritten where a
    meeting moved or was re-indexed, the table it left given back."""
    cancelled = ctx.meetings.cancelled(meet_id)
    moved: dict[str, dict[str, Any]] = {}
    for listed_as in listed:
        doc = docs.get(listed_as["meeting_id"])
        if doc is None:
            continue
        if doc["status"] == "cancelled" and doc["_id"] not in cancelled:
            ctx.meetings.mark_cancelled(meet_id, doc["_id"])
            vacate(ctx, doc)
        if placement(doc) != {k: listed_as.get(k) for k in placement(doc)}:
            moved[doc["_id"]] = placement(doc)
            if listed_as["table"] != doc["table"]:
                ctx.occupancy.release(doc["_id"], [place_key(meet_id, listed_as["slot_id"], "table", listed_as["table"])])
    if moved:
        ctx.meetings.relist(meet_id, moved)
