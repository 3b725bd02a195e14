"""How compact each participant's days are: breaks and idle slots.

A break is a maximal run of empty slots between two meetings of one participant within a
day (Bofill et al., JAIR 2022). Idle slots are the empty slots between a participant's
first and last meeting of a day. Both are counted per day and summed over days; a
participant's days never join across the night.
"""
from __future__ import annotations

from typing import Callable, Iterable, TypeVar

M = TypeVar("M")

__all__ = ["breaks_per_person", "idle_per_person", "person_slots", "day_breaks", "day_idle", "drop_breaking"]


def person_slots(pairs_at: Iterable[tuple[tuple[str, str], int]]) -> dict[str, set[int]]:
    """The slots each participant meets in, from ``((a, b), slot)`` items."""
    slots: dict[str, set[int]] = {}
    for pair, slot in pairs_at:
        for who in pair:
            slots.setdefault(who, set()).add(slot)
    return slots


def day_breaks(busy: set[int], first: int, last: int) -> int:
    """Breaks in the day ``first..last`` (slot indexes, inclusive) of someone busy in ``busy``."""
    mine = sorted(s for s in busy if first <= s <= last)
    return sum(1 for before, after in zip(mine, mine[1:]) if after - before > 1)


def day_idle(busy: set[int], first: int, last: int) -> int:
    """Empty slots between the first and last meeting of that day (0 for none or one)."""
    mine = [s for s in busy if first <= s <= last]
    return max(mine) - min(mine) + 1 - len(mine) if mine else 0


def breaks_per_person(slots: dict[str, set[int]], days: list[tuple[int, int]]) -> dict[str, int]:
    """For each participant with meetings, their breaks summed over ``days``."""
    return {who: sum(day_breaks(busy, first, last) for first, last in days) for who, busy in slots.items()}


def idle_per_person(slots: dict[str, set[int]], days: list[tuple[int, int]]) -> dict[str, int]:
    """For each participant with meetings, their idle slots summed over ``days``."""
    return {who: sum(day_idle(busy, first, last) for first, last in days) for who, busy in slots.items()}


def drop_breaking(meetings: list[M], pair_slot: Callable[[M], tuple[tuple[str, str], int]], value: Callable[[M], float],
                  days: list[tuple[int, int]], keep: Callable[[M], bool]) -> list[M]:
    """``meetings`` less those whose removal lowers the breaks of their two participants,
    least valuable first, pass after pass until none does; meetings for which ``keep`` is
    true stay. For an order of objectives with breaks before value, where no model can
    re-place the meetings (``solver._decompose``)."""
    busy = person_slots(pair_slot(m) for m in meetings)

    def breaks_of(slots: set[int]) -> int:
        return sum(day_breaks(slots, first, last) for first, last in days)

    kept, changed = list(meetings), True
    while changed:
        changed, remaining = False, []
        for meeting in sorted(kept, key=value):
            pair, slot = pair_slot(meeting)
            if not keep(meeting) and sum(breaks_of(busy[w] - {slot}) for w in pair) < sum(breaks_of(busy[w]) for w in pair):
                for who in pair:
                    busy[who].discard(slot)
                changed = True
            else:
                remaining.append(meeting)
        kept = remaining
    return kept
