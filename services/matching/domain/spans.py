"""Days as short as their meetings allow: every chosen pair placed so that participants'
idle slots (the empty slots between their first and last meeting of a day) are fewest.

Each participant-day gets a first and a last slot, integer variables that every meeting
of that day (locked ones included) must fall between; the day's idle slots are at least
last - first + 1 - its meetings. Idle slots bound breaks from above (a break is a run of
idle slots), and no idle slot means no break, so the schedule with the fewest idle slots
is a strong start for the fewest breaks: the objective is smooth where the count of breaks
is not, and CP-SAT's linear relaxation sees it. On the real forums of Bofill et al.
(``bench/data/b2b``), 10 s of this model alone ended with 18 breaks on forum-14 where the
block model from the greedy's schedule ended with 27, and 5 on forumt-14, the proven
optimum, where the block model ended with 6.

Every chosen pair is placed (exactly once) on the given model, which must hold exactly the
chosen pairs, as for ``blocks.fewest_broken_days``.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

from services.matching.domain.blocks import BreaksKeeper, person_days
from services.matching.domain.race import Race
from services.matching.domain.scheduling import Meeting

__all__ = ["fewest_idle_slots"]


def fewest_idle_slots(model, hint: list[Meeting], until: float, workers: int, race: Race | None = None) -> list[Meeting] | None:
    """The schedule of ``model`` (a ``TimeIndexed`` holding exactly the pairs to place)
    with the fewest breaks among those met while minimising idle slots from ``hint`` (valid
    meetings; it may leave pairs out), until ``until`` (``time.perf_counter()`` seconds);
    None when no schedule placing every pair was found. With a ``race``, each better
    schedule is offered to it, and the search stops when it says so."""
    cp = model.model
    for k in range(len(model.openings.pairs)):
        cp.AddExactlyOne(model.by_pair[k])
    idle = []
    for _, (first, last), free, fixed in person_days(model):
        opens, closes = cp.NewIntVar(first, last, ""), cp.NewIntVar(first, last, "")
        for t in fixed:
            cp.Add(opens <= t)
            cp.Add(closes >= t)
        busy = [cp.NewConstant(1) for _ in fixed]
        for t, group in free:
            for v in group:
                cp.Add(opens <= t).OnlyEnforceIf(v)
                cp.Add(closes >= t).OnlyEnforceIf(v)
            busy += group
        used = cp.NewBoolVar("")
        cp.AddBoolOr(busy).OnlyEnforceIf(used)
        for b in busy:
            cp.AddImplication(b, used)
        slots = cp.NewIntVar(0, last - first + 1, "")
        cp.Add(slots >= closes - opens + 1 - sum(busy)).OnlyEnforceIf(used)
        idle.append(slots)
    cp.Minimize(sum(idle))
    model._hint(hint)
    keeper = BreaksKeeper(model, hint, race)
    solver = model._solver(until - time.perf_counter(), workers)
    with race.running(solver) if race is not None else nullcontext():
        solver.Solve(cp, keeper)
    return keeper.best
