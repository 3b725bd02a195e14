"""Building the day's meetings: who meets whom, when, at which table.

Hard rules, never broken: nobody is in two meetings at once; no table hosts two meetings
at once; both sides are available in the slot; nobody exceeds their maximum number of
meetings; a pair meets at most once; "no thanks" pairs never meet; locked meetings stay.

Within those rules the total value of the meetings held is made as high as it can be by a
greedy pass in order of value (requested pairs carry the highest values), choosing for each
pair the slot that keeps both sides' days compact, then an augmenting pass that places a
pair left out by moving one blocking meeting to another free slot. ``upper_bound`` proves
how far from the best possible the result can be.

Buyers keep one table all day where there are enough tables (sellers walk to them).
A pair who share no language meet only with an interpreter from the meet's pool who covers
both sides and is free then; interpreters, like tables, are never in two meetings at once.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import Iterable

from services.matching.domain.locks import Infeasible, check_locks
from services.matching.domain.objectives import DEFAULT_ORDER

__all__ = ["Board", "Candidate", "assign_tables", "distinct", "try_place", "try_augment", "added_idle", "Meeting", "Problem", "Schedule", "Infeasible", "build_schedule", "repair", "upper_bound", "idle_gaps"]


@dataclass(frozen=True)
class Candidate:
    seller_id: str
    buyer_id: str
    value: float
    kind: str = "recommended"  # mutual_request | request | must_meet | would_like | recommended
    interpreters: frozenset[str] | None = None  # None: they share a language; else who could interpret
    required: bool = False  # must be placed (placed before any optional pair; the solver places all it can)
    slots: frozenset[int] | None = None  # the slots the meeting may take (e.g. mornings only); None: any

    @property
    def pair(self) -> tuple[str, str]:
        return (self.seller_id, self.buyer_id)


@dataclass(frozen=True)
class Meeting:
    seller_id: str
    buyer_id: str
    slot: int
    table: int
    value: float = 0.0
    kind: str = "recommended"
    locked: bool = False
    interpreter: str | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.seller_id, self.buyer_id)


@dataclass
class Problem:
    slots: list[str]
    tables: int
    availability: dict[str, frozenset[int]]
    candidates: list[Candidate]
    max_meetings: dict[str, int] = field(default_factory=dict)
    default_max_meetings: int = 12
    locked: list[Meeting] = field(default_factory=list)
    excluded: frozenset[tuple[str, str]] = frozenset()
    had_meeting: dict[tuple[str, str], str] = field(default_factory=dict)  # excluded pairs that had their one meeting: pair -> what became of it
    interpreter_availability: dict[str, frozenset[int]] = field(default_factory=dict)
    days: list[tuple[int, int]] | None = None  # (first, last) slot index of each day, inclusive; None: one day
    objectives: tuple[str, ...] = DEFAULT_ORDER  # most important first (objectives.py)

    def day_ranges(self) -> list[tuple[int, int]]:
        """The days as (first, last) slot indexes, inclusive; one day of every slot when not given."""
        return list(self.days) if self.days else ([(0, len(self.slots) - 1)] if self.slots else [])

    def cap(self, participant: str) -> int:
        return self.max_meetings.get(participant, self.default_max_meetings)


@dataclass
class Schedule:
    meetings: list[Meeting]
    unscheduled: list[Candidate]
    value: float
    upper_bound: float

    @property
    def gap(self) -> float:
        """How far from the best possible, at most (0 = proven optimal)."""
        return 0.0 if self.upper_bound <= 0 else round(1 - self.value / self.upper_bound, 4)


class Board:
    """Who is busy when, and how many tables each slot has in use."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.busy: dict[str, int] = {}
        self.count: dict[str, int] = {}
        self.used = [0] * len(problem.slots)
        self.open_tables = (1 << len(problem.slots)) - 1 if problem.tables > 0 else 0
        self.at: dict[tuple[str, int], tuple[str, str]] = {}
        self.meetings: dict[tuple[str, str], Meeting] = {}
        every_slot = (1 << len(problem.slots)) - 1
        self.mask = {p: _mask(slots) & every_slot for p, slots in problem.availability.items()}
        self.interpreter_mask = {i: _mask(slots) & every_slot for i, slots in problem.interpreter_availability.items()}
        self.interpreter_busy: dict[str, int] = {}
        self.window = {c.pair: _mask(c.slots) for c in problem.candidates if c.slots is not None}

    def free_slots(self, seller: str, buyer: str, interpreters: frozenset[str] | None = None) -> int:
        both = self.mask.get(seller, 0) & self.mask.get(buyer, 0)
        both &= ~self.busy.get(seller, 0) & ~self.busy.get(buyer, 0) & self.window.get((seller, buyer), -1)
        if interpreters is not None:
            both &= self._interpreter_free(interpreters)
        return both & self._table_mask()

    def interpreter_mask_of(self, interpreters: frozenset[str]) -> int:
        """The slots in which at least one of ``interpreters`` is on duty."""
        mask = 0
        for interpreter in interpreters:
            mask |= self.interpreter_mask.get(interpreter, 0)
        return mask

    def _interpreter_free(self, interpreters: frozenset[str]) -> int:
        free = 0
        for interpreter in interpreters:
            free |= self.interpreter_mask.get(interpreter, 0) & ~self.interpreter_busy.get(interpreter, 0)
        return free

    def pick_interpreter(self, interpreters: frozenset[str] | None, slot: int) -> str | None:
        """The first (by name) of the acceptable interpreters free in ``slot``."""
        if interpreters is None:
            return None
        bit = 1 << slot
        return next(i for i in sorted(interpreters) if self.interpreter_mask.get(i, 0) & bit and not self.interpreter_busy.get(i, 0) & bit)

    def _table_mask(self) -> int:
        return self.open_tables

    def has_room(self, seller: str, buyer: str) -> bool:
        return self.count.get(seller, 0) < self.problem.cap(seller) and self.count.get(buyer, 0) < self.problem.cap(buyer)

    def place(self, meeting: Meeting) -> None:
        for who in meeting.pair:
            self.busy[who] = self.busy.get(who, 0) | (1 << meeting.slot)
            self.count[who] = self.count.get(who, 0) + 1
            self.at[(who, meeting.slot)] = meeting.pair
        if meeting.interpreter:
            self.interpreter_busy[meeting.interpreter] = self.interpreter_busy.get(meeting.interpreter, 0) | (1 << meeting.slot)
        self.used[meeting.slot] += 1
        if self.used[meeting.slot] >= self.problem.tables:
            self.open_tables &= ~(1 << meeting.slot)
        self.meetings[meeting.pair] = meeting

    def remove(self, meeting: Meeting) -> None:
        for who in meeting.pair:
            self.busy[who] &= ~(1 << meeting.slot)
            self.count[who] -= 1
            del self.at[(who, meeting.slot)]
        if meeting.interpreter:
            self.interpreter_busy[meeting.interpreter] &= ~(1 << meeting.slot)
        self.used[meeting.slot] -= 1
        if self.used[meeting.slot] < self.problem.tables:
            self.open_tables |= 1 << meeting.slot
        del self.meetings[meeting.pair]

    def best_slot(self, seller: str, buyer: str, free: int) -> int:
        """The free slot that adds the least idle time to both days (filling a hole between
        two meetings removes some), the earliest among equals."""
        spans = [_span(self.busy.get(who, 0)) for who in (seller, buyer)]
        best, best_cost = -1, None
        for slot in _bits(free):
            cost = sum(added_idle(span, slot) for span in spans)
            if best_cost is None or cost < best_cost:
                best, best_cost = slot, cost
        return best


def _span(busy: int) -> tuple[int, int] | None:
    if not busy:
        return None
    return (busy & -busy).bit_length() - 1, busy.bit_length() - 1


def added_idle(span: tuple[int, int] | None, slot: int) -> int:
    """Change in idle slots (span minus meetings) when a meeting is added at ``slot``."""
    if span is None:
        return 0
    first, last = span
    if first <= slot <= last:
        return -1
    return (first - slot - 1) if slot < first else (slot - last - 1)


def build_schedule(problem: Problem) -> Schedule:
    """The day's meetings: every locked meeting where it is (at its table, if it has one),
    then the candidates by value. Raises ``Infeasible`` (with the reason) when the locked
    meetings cannot all be kept."""
    check_locks(problem)
    board = Board(problem)
    for meeting in problem.locked:
        board.place(replace(meeting, locked=True))
    ordered = sorted(
        (c for c in distinct(problem.candidates) if c.pair not in problem.excluded and c.pair not in board.meetings),
        key=lambda c: (not c.required, -c.value, c.seller_id, c.buyer_id),
    )
    left_out = []
    for candidate in ordered:
        if not try_place(board, candidate):
            left_out.append(candidate)
    still_out = [c for c in left_out if not try_augment(board, c)]
    meetings = assign_tables(problem, list(board.meetings.values()))
    return Schedule(meetings, still_out, round(sum(m.value for m in meetings), 4), upper_bound(problem))


def try_place(board: Board, candidate: Candidate) -> bool:
    if not board.has_room(candidate.seller_id, candidate.buyer_id):
        return False
    free = board.free_slots(candidate.seller_id, candidate.buyer_id, candidate.interpreters)
    if not free:
        return False
    slot = board.best_slot(candidate.seller_id, candidate.buyer_id, free)
    interpreter = board.pick_interpreter(candidate.interpreters, slot)
    board.place(Meeting(candidate.seller_id, candidate.buyer_id, slot, 0, candidate.value, candidate.kind, interpreter=interpreter))
    return True


def try_augment(board: Board, candidate: Candidate) -> bool:
    """Place ``candidate`` by moving one meeting that blocks it to another free slot."""
    seller, buyer = candidate.pair
    if not board.has_room(seller, buyer):
        return False
    both = board.mask.get(seller, 0) & board.mask.get(buyer, 0) & board.window.get((seller, buyer), -1)
    for slot in _bits(both):
        if board.used[slot] >= board.problem.tables and not (board.at.get((seller, slot)) or board.at.get((buyer, slot))):
            continue
        blockers = {board.at.get((seller, slot)), board.at.get((buyer, slot))} - {None}
        if len(blockers) != 1:
            continue
        blocking = board.meetings[blockers.pop()]
        if blocking.locked or blocking.interpreter:
            continue
        board.remove(blocking)
        spare = board.free_slots(*blocking.pair) & ~(1 << slot)
        target_free = board.free_slots(seller, buyer, candidate.interpreters) & (1 << slot)
        if spare and target_free:
            board.place(replace(blocking, slot=board.best_slot(*blocking.pair, spare)))
            if board.free_slots(seller, buyer, candidate.interpreters) & (1 << slot):
                interpreter = board.pick_interpreter(candidate.interpreters, slot)
                board.place(Meeting(seller, buyer, slot, 0, candidate.value, candidate.kind, interpreter=interpreter))
                return True
            board.remove(board.meetings[blocking.pair])
        board.place(blocking)
    return False


def assign_tables(problem: Problem, meetings: list[Meeting]) -> list[Meeting]:
    """Table numbers from 1: each buyer keeps one table when there are enough of them."""
    buyers = sorted({m.buyer_id for m in meetings})
    home = {b: i + 1 for i, b in enumerate(buyers)} if len(buyers) <= problem.tables else {}
    placed: list[Meeting] = []
    by_slot: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_slot.setdefault(meeting.slot, []).append(meeting)
    for slot, group in sorted(by_slot.items()):
        taken: set[int] = set()
        waiting = []
        for meeting in sorted(group, key=lambda m: (not (m.locked and m.table), m.buyer_id, m.seller_id)):
            wanted = meeting.table if meeting.locked and meeting.table else home.get(meeting.buyer_id)
            if wanted and wanted not in taken:
                taken.add(wanted)
                placed.append(replace(meeting, table=wanted))
            else:
                waiting.append(meeting)
        free = (t for t in range(1, problem.tables + 1) if t not in taken)
        placed.extend(replace(meeting, table=next(free)) for meeting in waiting)
    return sorted(placed, key=lambda m: (m.slot, m.table))


def upper_bound(problem: Problem) -> float:
    """A value no schedule can beat: the least of three relaxations.

    Each meeting has one buyer, so no schedule beats the sum over buyers of their best
    ``min(cap, available slots)`` pair values; likewise over sellers; and no schedule holds
    more than tables x slots meetings, so none beats that many best pair values overall.
    """
    pairs = [c for c in distinct(problem.candidates + [Candidate(m.seller_id, m.buyer_id, m.value, m.kind) for m in problem.locked]) if c.pair not in problem.excluded]
    if not pairs:
        return 0.0

    def side_bound(key) -> float:
        groups: dict[str, list[float]] = {}
        for c in pairs:
            groups.setdefault(key(c), []).append(c.value)
        total = 0.0
        for who, values in groups.items():
            limit = min(problem.cap(who), len(problem.availability.get(who, ())))
            total += sum(heapq.nlargest(limit, values))
        return total

    overall = sum(heapq.nlargest(problem.tables * len(problem.slots), (c.value for c in pairs)))
    return round(min(side_bound(lambda c: c.buyer_id), side_bound(lambda c: c.seller_id), overall), 4)


def repair(schedule: Schedule, problem: Problem, absent: Iterable[str]) -> tuple[Schedule, list[Meeting], list[Meeting]]:
    """Drop the meetings of participants who cancelled or did not show, and fill the freed
    places with pairs left out, without moving any meeting that stays.

    Returns the new schedule, the meetings dropped and the meetings added.
    """
    gone = set(absent)
    dropped = [m for m in schedule.meetings if m.seller_id in gone or m.buyer_id in gone]
    kept = [replace(m, locked=True) for m in schedule.meetings if m not in dropped]
    board = Board(problem)
    for meeting in kept:
        board.place(meeting)
    added = []
    for candidate in sorted(schedule.unscheduled + _pairs_of_absent_partners(problem, dropped, gone), key=lambda c: (-c.value, c.pair)):
        if gone & set(candidate.pair) or candidate.pair in board.meetings or candidate.pair in problem.excluded:
            continue
        if try_place(board, candidate):
            added.append(board.meetings[candidate.pair])
    tables_kept = {m.pair: m.table for m in kept}
    new_meetings = _fill_tables(problem, kept, added, tables_kept)
    added_with_tables = [m for m in new_meetings if m.pair not in tables_kept]
    unscheduled = [c for c in schedule.unscheduled if c.pair not in board.meetings and not gone & set(c.pair)]
    was_locked = {m.pair for m in schedule.meetings if m.locked}
    restored = [replace(m, locked=m.pair in was_locked) for m in new_meetings]
    value = round(sum(m.value for m in restored), 4)
    return Schedule(restored, unscheduled, value, schedule.upper_bound), dropped, added_with_tables


def _pairs_of_absent_partners(problem: Problem, dropped: list[Meeting], gone: set[str]) -> list[Candidate]:
    """Candidates of the people whose partner is gone: they are first to get a new meeting."""
    orphaned = {who for m in dropped for who in m.pair} - gone
    return [c for c in problem.candidates if orphaned & set(c.pair)]


def _fill_tables(problem: Problem, kept: list[Meeting], added: list[Meeting], tables: dict) -> list[Meeting]:
    result = list(kept)
    for meeting in added:
        taken = {m.table for m in result if m.slot == meeting.slot}
        table = next(t for t in range(1, problem.tables + 1) if t not in taken)
        result.append(replace(meeting, table=table))
    return sorted(result, key=lambda m: (m.slot, m.table))


def idle_gaps(meetings: list[Meeting]) -> dict[str, int]:
    """For each participant, the empty slots between their first and last meeting."""
    slots: dict[str, list[int]] = {}
    for meeting in meetings:
        for who in meeting.pair:
            slots.setdefault(who, []).append(meeting.slot)
    return {who: max(s) - min(s) + 1 - len(s) for who, s in slots.items()}


def distinct(candidates: Iterable[Candidate]) -> list[Candidate]:
    best: dict[tuple[str, str], Candidate] = {}
    for candidate in candidates:
        if candidate.pair not in best or candidate.value > best[candidate.pair].value:
            best[candidate.pair] = candidate
    return list(best.values())


def _mask(slots: Iterable[int]) -> int:
    value = 0
    for slot in slots:
        value |= 1 << slot
    return value


def _bits(mask: int) -> list[int]:
    out, slot = [], 0
    while mask:
        if mask & 1:
            out.append(slot)
        mask >>= 1
        slot += 1
    return out
