"""What becomes of published meetings when their meet or a participant's availability changes.

An organiser may edit a meet (days, session hours, breaks, meeting length, tables) after its
schedule is published, and a participant's availability may narrow. A meeting is known by
its slot's id (day and start), which outlives such a change only if a slot still begins
then; its slot index, its times and its table are read again from the meet as it now is:

- a meeting that has begun is history: it keeps its place, only its slot index follows the
  meet (when its slot is still one);
- a meeting whose slot is gone, or one of whose people no longer attends its slot, is
  cancelled (``MEET_CHANGED``, ``UNAVAILABLE``);
- a meeting at a table the meet no longer has moves to a free table of its slot (one no
  other meeting and no organiser's lock holds), lowest first, or is cancelled when none is;
- a meeting whose slot now has other times (a new length or gap) takes them;
- a meeting in another time zone than the meet's (the organiser corrected it) takes the
  meet's: the same wall-clock times are another instant, so its people are told.

Meetings are mappings as matching stores them (``_id``, ``status``, ``seller_id``,
``buyer_id``, ``slot_id``, ``slot_index``, ``day``, ``start``, ``end``, ``table``,
``timezone``); slots as the meet lists them (``id``, ``day``, ``start``, ``end``), in order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

MEET_CHANGED, UNAVAILABLE = "meet_changed", "unavailable"
SCHEDULED = "scheduled"


@dataclass(frozen=True)
class Change:
    """One meeting's change: ``fields`` to set on it; ``reason`` when it is cancelled;
    ``announced`` when its people must be told (a cancellation, a new table, new times or a
    new time zone),
    else a bookkeeping change (the slot index) that no one sees."""

    meeting_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    announced: bool = True

    @property
    def cancels(self) -> bool:
        return self.reason is not None


def follow_the_meet(
    meetings: Iterable[Mapping[str, Any]], slots: list[Mapping[str, Any]], tables: int, begun: set[str] | frozenset[str] = frozenset(),
    attends: Mapping[str, set[str] | frozenset[str]] | None = None, locked_tables: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
    timezone: str | None = None,
) -> list[Change]:
    """The changes that bring ``meetings`` in line with the meet's ``slots``, ``tables`` and
    ``timezone`` (IANA name; None leaves every meeting's zone as it is), in the order to
    make them (those that free a table before those that take one).
    ``begun``: ids of meetings that have begun. ``attends``: participant id -> the slot
    ids they attend, for the people whose availability counts (others are not checked).
    ``locked_tables``: (slot id, table) pairs organisers' locks hold. Cancelled meetings
    only have their slot index followed. No change for a meeting already in line."""
    position = {slot["id"]: i for i, slot in enumerate(slots)}
    by_id = {slot["id"]: slot for slot in slots}
    attends = attends or {}
    changes: list[Change] = []
    staying: list[Mapping[str, Any]] = []
    displaced: list[Mapping[str, Any]] = []
    for meeting in meetings:
        slot_id = meeting["slot_id"]
        index = position.get(slot_id)
        if meeting["status"] != SCHEDULED or meeting["_id"] in begun:
            if index is not None and index != meeting["slot_index"]:
                changes.append(Change(meeting["_id"], {"slot_index": index}, announced=False))
            if meeting["status"] == SCHEDULED:
                staying.append(meeting)
        elif index is None:
            changes.append(_cancelled(meeting, MEET_CHANGED, index))
        elif any(who in attends and slot_id not in attends[who] for who in (meeting["seller_id"], meeting["buyer_id"])):
            changes.append(_cancelled(meeting, UNAVAILABLE, index))
        elif meeting["table"] > tables:
            displaced.append(meeting)
        else:
            staying.append(meeting)
            retimed = _times(by_id[slot_id], index, meeting, timezone)
            if retimed:
                changes.append(Change(meeting["_id"], retimed, announced=set(retimed) != {"slot_index"}))
    taken = {(m["slot_id"], m["table"]) for m in staying} | set(locked_tables)
    for meeting in sorted(displaced, key=lambda m: (position[m["slot_id"]], m["table"], m["_id"])):
        slot_id = meeting["slot_id"]
        free = next((t for t in range(1, tables + 1) if (slot_id, t) not in taken), None)
        if free is None:
            changes.append(_cancelled(meeting, MEET_CHANGED, position[slot_id]))
            continue
        taken.add((slot_id, free))
        changes.append(Change(meeting["_id"], {"table": free, **_times(by_id[slot_id], position[slot_id], meeting, timezone)}))
    return sorted(changes, key=lambda c: "table" in c.fields)


def layout(slots: list[Mapping[str, Any]], tables: int, timezone: str) -> str:
    """What published meetings depend on in a meet, as one string: each slot's id, day,
    start and end in order, the number of tables and the time zone. Two versions of a meet
    with the same layout (a new name, a status change) leave every meeting as it is."""
    return json.dumps([[[s["id"], str(s["day"]), s["start"], s["end"]] for s in slots], tables, timezone], separators=(",", ":"))


def placeable(meeting: Mapping[str, Any], position: Mapping[str, int], tables: int) -> bool:
    """Whether a published meeting (document or placement) is in a slot (``position``: slot
    id -> index) and at a table of the meet as it is now; one that is not has begun before
    the meet changed, and a draft leaves it be."""
    return meeting["slot_id"] in position and 1 <= meeting["table"] <= tables


def _cancelled(meeting: Mapping[str, Any], reason: str, index: int | None) -> Change:
    """The cancellation of ``meeting`` for ``reason``, with its slot's index now if it has one."""
    fields: dict[str, Any] = {"status": "cancelled", "cancel_reason": reason}
    if index is not None and index != meeting["slot_index"]:
        fields["slot_index"] = index
    return Change(meeting["_id"], fields, reason)


def _times(slot: Mapping[str, Any], index: int, meeting: Mapping[str, Any], timezone: str | None) -> dict[str, Any]:
    """The fields of ``meeting`` that differ from its slot's (index, day, start, end) and
    from the meet's ``timezone`` (when given)."""
    wanted = {"slot_index": index, "day": str(slot["day"]), "start": slot["start"], "end": slot["end"]}
    if timezone is not None:
        wanted["timezone"] = timezone
    return {k: v for k, v in wanted.items() if meeting.get(k) != v}
