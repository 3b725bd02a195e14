"""Fewer breaks by simulated annealing on Kempe-chain moves: the chosen meetings keep their
pairs and interpreters and move between slots, so required meetings and value never change.

A move takes a meeting and another slot it may take, and swaps between the two slots the
meeting's Kempe chain: the meetings reachable from it through people (participants and
the meeting's interpreter) busy in both slots. Swapping a whole chain keeps everyone in one
meeting at a time, so every move keeps the hard rules when each moved meeting may take its
new slot (availability, window, its interpreter on duty) and the tables suffice; a plain
move to a slot where both are free is the chain of one meeting. Kempe chains are the
classic neighbourhood of timetabling by local search (Thompson and Dowsland, "A robust
simulated annealing based examination timetabling system", Computers & OR 25, 1998).

The cost of a schedule is ``BREAK_WEIGHT`` per break plus one per idle slot (idle slots
make the landscape smooth where breaks alone are flat); a worse move is taken with
probability exp(-increase / temperature), the temperature falling geometrically from
``HOT`` to ``COLD`` over the time given. The schedule with the fewest breaks met (then
fewest idle slots) is returned.

Half the moves or more are drawn where the cost is: a meeting at one end of a person's day
that has a hole, swapped into the hole (``HOLE_MOVES``). On the real forums of Bofill et
al. (``bench/data/b2b``), forum-14 (302 meetings, 22 slots): from the time-indexed model's
38 breaks, 3 to 5 breaks after 8 s on one core (5 to 8 with random moves only), where the
model's own search stalls above 20.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import replace

from services.matching.domain.openings import Openings
from services.matching.domain.race import Race
from services.matching.domain.scheduling import Meeting, Problem

__all__ = ["anneal"]

BREAK_WEIGHT = 4
HOT, COLD = 3.0, 0.5
LONGEST_CHAIN = 40  # meetings; longer chains are not tried (they rarely lower the cost)
HOLE_MOVES = 0.6  # share of moves drawn to fill a hole in someone's day (``_State.hole_move``)


def anneal(problem: Problem, openings: Openings, meetings: list[Meeting], until: float, race: Race | None = None, seed: int = 7) -> list[Meeting]:
    """``meetings`` (valid unlocked meetings of ``openings``' pairs) moved between slots to
    the fewest breaks found until ``until`` (``time.perf_counter()`` seconds); locked
    meetings stay and count. With a ``race`` (when ``meetings`` hold every open pair), the
    best schedule is offered to it as it improves, and the search ends when it says stop
    or at its proven bound."""
    state = _State(problem, openings, meetings)
    floor = race.bound if race is not None else 0
    if not state.movable or state.breaks <= floor:
        return meetings
    rng = random.Random(seed)
    started, span = time.perf_counter(), max(1e-3, until - time.perf_counter())
    temperature, step, offered = HOT, 0, state.best_breaks
    while state.best_breaks > floor:
        step += 1
        if step & 255 == 0:
            now = time.perf_counter()
            if race is not None:
                if state.best_breaks < offered:
                    offered = state.best_breaks
                    race.offer(state.best_meetings(), offered)
                if race.stop.is_set():
                    break
                floor = race.bound
                if race.breaks < state.best_breaks:
                    state = _State(problem, openings, race.best)
                    offered = state.best_breaks
            if now >= until:
                break
            temperature = HOT * (COLD / HOT) ** ((now - started) / span)
        state.try_move(rng, temperature)
    best = state.best_meetings()
    if race is not None and state.best_breaks < offered:
        race.offer(best, state.best_breaks)
    return best


class _State:
    """A schedule as slots per meeting, busy slots per person (bit masks) and meetings per
    slot, with its cost kept current move by move."""

    def __init__(self, problem: Problem, openings: Openings, meetings: list[Meeting]):
        self.meetings = meetings
        index = {o.candidate.pair: k for k, o in enumerate(openings.pairs)}
        ids: dict[str, int] = {}
        self.people: list[tuple[int, ...]] = []
        self.allowed: list[tuple[int, ...]] = []
        self.slot: list[int] = []
        for m in meetings:
            opening = openings.pairs[index[m.pair]]
            who = [ids.setdefault(p, len(ids)) for p in m.pair]
            if m.interpreter is not None:
                who.append(ids.setdefault(("interpreter", m.interpreter), len(ids)))
            allowed = tuple(t for t in opening.slots if m.interpreter is None or m.interpreter in opening.interpreters.get(t, ()))
            self.people.append(tuple(who))
            self.allowed.append(allowed)
            self.slot.append(m.slot)
        for m in problem.locked:
            for who in m.pair:
                ids.setdefault(who, len(ids))  # their breaks count, though none of their meetings moves
        self.counted = [not isinstance(p, tuple) for p in ids]
        self.may_take = [sum(1 << t for t in allowed) for allowed in self.allowed]
        self.movable = [k for k, allowed in enumerate(self.allowed) if len(allowed) > 1]
        self.tables = list(openings.tables_left)
        self.busy = [0] * len(ids)
        self.at = [[-1] * len(openings.tables_left) for _ in ids]  # meeting per person and slot
        self.count = [0] * len(self.tables)
        for k, t in enumerate(self.slot):
            self.count[t] += 1
            for p in self.people[k]:
                self.busy[p] |= 1 << t
                self.at[p][t] = k
        for m in problem.locked:
            for who in m.pair:
                self.busy[ids[who]] |= 1 << m.slot
        self.days = [sum(1 << t for t in range(first, last + 1)) for first, last in problem.day_ranges()]
        self.cost = [self._cost(self.busy[p]) if self.counted[p] else (0, 0) for p in range(len(ids))]
        self.breaks = sum(c[0] for c in self.cost)
        self.idle = sum(c[1] for c in self.cost)
        self.best_breaks, self.best_idle, self.best_slot = self.breaks, self.idle, list(self.slot)

    def _cost(self, busy: int) -> tuple[int, int]:
        """(breaks, idle slots) of a person busy in the slots of the bit mask ``busy``."""
        breaks = idle = 0
        for day in self.days:
            mine = busy & day
            if mine:
                breaks += (mine & ~(mine << 1)).bit_count() - 1
                idle += mine.bit_length() - (mine & -mine).bit_length() + 1 - mine.bit_count()
        return breaks, idle

    def try_move(self, rng: random.Random, temperature: float) -> None:
        """One move, kept if it lowers the cost or by the annealing rule: a meeting's Kempe
        chain swapped with another slot, either a random meeting and a random slot it may
        take or (``HOLE_MOVES`` of the draws) a ``hole_move``."""
        if rng.random() < HOLE_MOVES:
            move = self.hole_move(rng)
            if move is None:
                return
            k, first, second = move
        else:
            k = self.movable[int(rng.random() * len(self.movable))]
            first, allowed = self.slot[k], self.allowed[k]
            second = allowed[int(rng.random() * len(allowed))]
            if second == first:
                return
        chain = self._chain(k, first, second)
        if chain is None:
            return
        leaving = sum(1 for j in chain if self.slot[j] == first)
        arriving = len(chain) - leaving
        if self.count[second] + leaving - arriving > self.tables[second] or self.count[first] + arriving - leaving > self.tables[first]:
            return
        both = (1 << first) | (1 << second)
        changed, more_breaks, more_idle = {}, 0, 0
        for j in chain:
            for p in self.people[j]:
                busy = self.busy[p]
                if p in changed or not self.counted[p] or (busy >> first & 1) == (busy >> second & 1):
                    continue
                cost = self._cost(busy ^ both)
                changed[p] = cost
                more_breaks += cost[0] - self.cost[p][0]
                more_idle += cost[1] - self.cost[p][1]
        increase = BREAK_WEIGHT * more_breaks + more_idle
        if increase > 0 and rng.random() >= math.exp(-increase / temperature):
            return
        self._swap(chain, first, second)
        for p, cost in changed.items():
            self.cost[p] = cost
        self.breaks += more_breaks
        self.idle += more_idle
        if (self.breaks, self.idle) < (self.best_breaks, self.best_idle):
            self.best_breaks, self.best_idle, self.best_slot = self.breaks, self.idle, list(self.slot)

    def hole_move(self, rng: random.Random) -> tuple[int, int, int] | None:
        """(meeting, its slot, a slot to swap with) that fills a hole of a random person's
        day with the meeting at either end of it, or None when the person drawn has no
        idle slot, or that meeting is locked or may not move there (a draw, not a search:
        it is cheap). On forum-14 and planted forum-5 of ``bench/scheduler.py`` (8 s, six
        seeds) the breaks fell from 5.0 and 2.2 on average with random moves only to 3.7
        and 1.8."""
        p = int(rng.random() * len(self.busy))
        if not self.counted[p] or self.cost[p][1] == 0:
            return None
        holed = [mine for mine in (self.busy[p] & day for day in self.days) if mine and mine.bit_length() - (mine & -mine).bit_length() + 1 > mine.bit_count()]
        if not holed:
            return None
        mine = holed[int(rng.random() * len(holed))]
        lo, hi = (mine & -mine).bit_length() - 1, mine.bit_length() - 1
        first = lo if rng.random() < 0.5 else hi
        k = self.at[p][first]
        holes = [t for t in range(lo, hi + 1) if not mine >> t & 1]
        second = holes[int(rng.random() * len(holes))]
        return (k, first, second) if k >= 0 and self.may_take[k] >> second & 1 else None

    def _chain(self, k: int, first: int, second: int) -> list[int] | None:
        """The Kempe chain of meeting ``k`` between slots ``first`` and ``second``; None when
        one of its meetings may not take the other slot or it is too long."""
        chain, seen, stack = [], {k}, [k]
        while stack:
            j = stack.pop()
            chain.append(j)
            other = second if self.slot[j] == first else first
            if not self.may_take[j] >> other & 1 or len(chain) > LONGEST_CHAIN:
                return None
            for p in self.people[j]:
                q = self.at[p][other]
                if q >= 0 and q not in seen:
                    seen.add(q)
                    stack.append(q)
        return chain

    def _swap(self, chain: list[int], first: int, second: int) -> None:
        for j in chain:
            for p in self.people[j]:
                if self.at[p][self.slot[j]] == j:
                    self.at[p][self.slot[j]] = -1
                self.busy[p] ^= 1 << self.slot[j]
        for j in chain:
            now = second if self.slot[j] == first else first
            self.count[self.slot[j]] -= 1
            self.count[now] += 1
            self.slot[j] = now
            for p in self.people[j]:
                self.at[p][now] = j
                self.busy[p] |= 1 << now

    def best_meetings(self) -> list[Meeting]:
        return [m if m.slot == t else replace(m, slot=t) for m, t in zip(self.meetings, self.best_slot)]
