"""Whether a set of locked meetings can all be kept: the scheduler's hard rules applied to
the meetings it may not move (organisers' pins and meetings already published)."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.matching.domain.scheduling import Meeting, Problem


class Infeasible(ValueError):
    """Locked meetings that break a hard rule; the message says which and why."""


def check_locks(problem: Problem) -> None:
    """Raise ``Infeasible`` for the first locked meeting of ``problem.locked`` that breaks a
    hard rule: outside the meet's slots or tables, a pair locked twice, someone unavailable
    or in two locked meetings in one slot, two locked meetings at one table, more locked
    meetings in a slot than tables, an interpreter off duty or booked twice, or someone
    locked into more meetings than their maximum. Table 0 means "any table"."""
    pairs: dict[tuple[str, str], Meeting] = {}
    people: dict[tuple[str, int], Meeting] = {}
    tables: dict[tuple[int, int], Meeting] = {}
    interpreters: dict[tuple[str, int], Meeting] = {}
    per_slot: Counter[int] = Counter()
    for meeting in problem.locked:
        name = _name(meeting)
        if not 0 <= meeting.slot < len(problem.slots):
            raise Infeasible(f"the locked meeting {name} is in no slot of this meet")
        slot = problem.slots[meeting.slot]
        if meeting.pair in pairs:
            raise Infeasible(f"{name} is locked twice (slots {problem.slots[pairs[meeting.pair].slot]} and {slot})")
        pairs[meeting.pair] = meeting
        if meeting.table and not 1 <= meeting.table <= problem.tables:
            raise Infeasible(f"the locked meeting {name} is at table {meeting.table}, and the meet has tables 1 to {problem.tables}")
        for who in meeting.pair:
            if meeting.slot not in problem.availability.get(who, ()):
                raise Infeasible(f"{who} is not available in slot {slot}, where {name} is locked")
            if (who, meeting.slot) in people:
                raise Infeasible(f"{who} is locked into two meetings in slot {slot}: {_name(people[(who, meeting.slot)])} and {name}")
            people[(who, meeting.slot)] = meeting
        if meeting.table:
            if (meeting.slot, meeting.table) in tables:
                raise Infeasible(f"table {meeting.table} in slot {slot} holds two locked meetings: {_name(tables[(meeting.slot, meeting.table)])} and {name}")
            tables[(meeting.slot, meeting.table)] = meeting
        per_slot[meeting.slot] += 1
        if per_slot[meeting.slot] > problem.tables:
            raise Infeasible(f"slot {slot} has more locked meetings than the meet's {problem.tables} tables")
        if meeting.interpreter:
            if meeting.slot not in problem.interpreter_availability.get(meeting.interpreter, ()):
                raise Infeasible(f"interpreter {meeting.interpreter} does not work in slot {slot}, where {name} is locked")
            if (meeting.interpreter, meeting.slot) in interpreters:
                raise Infeasible(f"interpreter {meeting.interpreter} is locked into two meetings in slot {slot}")
            interpreters[(meeting.interpreter, meeting.slot)] = meeting
    locked_meetings = Counter(who for meeting in problem.locked for who in meeting.pair)
    for who, count in sorted(locked_meetings.items()):
        if count > problem.cap(who):
            raise Infeasible(f"{who} is locked into {count} meetings, more than their maximum of {problem.cap(who)}")


def _name(meeting: Meeting) -> str:
    return f"{meeting.seller_id}/{meeting.buyer_id}"
