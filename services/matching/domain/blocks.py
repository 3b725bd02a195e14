"""Days without breaks as blocks: the meetings chosen, placed so that as few participant-days
as possible have a break.

A participant's day has no break exactly when their meetings that day fill a block of
consecutive slots as long as their number of meetings. The model gives each
participant-day a yes/no "whole" and a start slot; "whole" forces every meeting of the day
(locked ones included) into the block that starts there and holds as many slots as the day
has meetings. The objective is the number of participant-days that are not whole, each of
which has at least one break, so CP-SAT's proven bound on it is a lower bound on breaks.

This is the formulation CP-SAT searches well (forum-13 of Bofill et al.: every day whole in
10 s, where minimising the breaks themselves stalls at 46), as the block reasoning in their
models: a block's start narrows every partner's slots at once.

Every chosen pair is placed (exactly once) on the given model, which must hold exactly the
chosen pairs (``TimeIndexed`` of the problem restricted to them).
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass

from ortools.sat.python import cp_model

from services.matching.domain.race import Race
from services.matching.domain.scheduling import Meeting

__all__ = ["Blocks", "BreaksKeeper", "fewest_broken_days", "person_days"]


@dataclass
class Blocks:
    """The schedule with the fewest breaks among those found (unlocked meetings; None when
    none placing every pair was found), its breaks, the proven lower bound on
    participant-days with a break (and so on breaks, for this set of meetings), and
    whether the count was proven minimal."""

    meetings: list[Meeting] | None
    breaks: int
    bound: int
    optimal: bool


def fewest_broken_days(model, hint: list[Meeting], until: float, workers: int, race: Race | None = None) -> Blocks:
    """Solve the block model on ``model`` (a ``TimeIndexed`` holding exactly the pairs to
    place) from ``hint`` (valid meetings; it may leave pairs out) until ``until``
    (``time.perf_counter()`` seconds; building the model counts), or until ``race`` (if
    given: schedules found are offered to it) says stop."""
    cp = model.model
    for k in range(len(model.openings.pairs)):
        cp.AddExactlyOne(model.by_pair[k])
    whole_days = []
    hint_slots: dict[str, set[int]] = {}
    for meeting in list(model.problem.locked) + hint:
        for who in meeting.pair:
            hint_slots.setdefault(who, set()).add(meeting.slot)
    hints = []
    for who, (first, last), free, fixed in person_days(model):
        whole = cp.NewBoolVar("")
        inside = [k for k in model.pairs_of.get(who, ()) if all(first <= t <= last for t in model.openings.pairs[k].slots)]
        spanning = [k for k in model.pairs_of.get(who, ()) if k not in inside and any(first <= t <= last for t in model.openings.pairs[k].slots)]
        length = len(fixed) + len(inside) + sum(v for k in spanning for (j, t), v in _slots_of(model, k) if first <= t <= last)
        start = cp.NewIntVar(first, last - (len(fixed) + len(inside)) + 1, "")
        for t in fixed:
            cp.Add(start <= t).OnlyEnforceIf(whole)
            cp.Add(start + length - 1 >= t).OnlyEnforceIf(whole)
        for t, group in free:
            for v in group:
                cp.Add(start <= t).OnlyEnforceIf([whole, v])
                cp.Add(start + length - 1 >= t).OnlyEnforceIf([whole, v])
        whole_days.append(whole)
        mine = sorted(t for t in hint_slots.get(who, ()) if first <= t <= last)
        contiguous = not mine or mine[-1] - mine[0] + 1 == len(mine)
        hints.append((whole, contiguous, start, mine[0] if mine else first))
    cp.Minimize(sum(1 - w for w in whole_days))
    model._hint(hint)
    for whole, contiguous, start, first in hints:
        cp.AddHint(whole, contiguous)
        cp.AddHint(start, first)
    keeper = BreaksKeeper(model, hint, race)
    solver = model._solver(until - time.perf_counter(), workers)
    with race.running(solver) if race is not None else nullcontext():
        if race is not None and race.stop.is_set():  # a stop before Solve starts does not reach it
            return Blocks(keeper.best, keeper.breaks, 0, False)
        status = solver.Solve(cp, keeper)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Blocks(keeper.best, keeper.breaks, 0, False)
    bound = max(0, int(-(-solver.BestObjectiveBound() // 1)))
    if race is not None and keeper.best is not None:
        race.prove(min(bound, keeper.breaks))
    return Blocks(keeper.best, keeper.breaks, min(bound, keeper.breaks), status == cp_model.OPTIMAL)


def person_days(model):
    """Each participant-day of a ``TimeIndexed`` model that could hold two meetings or more:
    ``(who, (first, last), free, fixed)``, ``free`` the ``(slot, meeting variables)`` open
    to them that day and ``fixed`` the slots of their locked meetings in it."""
    for who in model.people():
        locked = model.openings.locked_busy.get(who, set())
        for first, last in model.problem.day_ranges():
            free = [(t, model.by_person_slot[(who, t)]) for t in range(first, last + 1) if (who, t) in model.by_person_slot]
            fixed = [t for t in locked if first <= t <= last]
            if len(free) + len(fixed) >= 2:
                yield who, (first, last), free, fixed


def _slots_of(model, k: int):
    return [((k, t), model.x[(k, t)]) for t in model.openings.pairs[k].slots]


class BreaksKeeper(cp_model.CpSolverSolutionCallback):
    """Keeps the solution with the fewest breaks whatever the objective counts (broken days
    here): ``best`` (None until one placing every pair of the
    ``TimeIndexed`` model is met, or the hint if it does) and its ``breaks``. With a
    ``race``, each better schedule is offered to it, and the search stops when it says so
    (checked at each solution)."""

    def __init__(self, model, hint: list[Meeting], race: Race | None = None):
        super().__init__()
        complete = len({m.pair for m in hint}) == len(model.openings.pairs)
        self.model, self.best, self.race = model, hint if complete else None, race
        self.breaks = model._count_breaks(hint) if complete else float("inf")

    def on_solution_callback(self) -> None:
        found = self.model._read(self.Value)
        breaks = self.model._count_breaks(found)
        if breaks < self.breaks:
            self.best, self.breaks = found, breaks
            if self.race is not None:
                self.race.offer(found, breaks)
        if self.race is not None and self.race.stop.is_set():
            self.StopSearch()
