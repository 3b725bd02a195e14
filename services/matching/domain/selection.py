"""Which meetings to hold, time aside: the value relaxation solved as an LP with HiGHS
(the build OR-Tools ships, through its linear-solver wrapper: loading the separate
``highspy`` package next to OR-Tools in one process clashes on HiGHS's symbols).

Each open pair is held or not (0..1); each participant holds at most their remaining cap
and no more than their open slots; all meetings together fit in the tables x slots left.
Every schedule obeys these rules, so the LP optimum bounds the value of any schedule. The
rules without the last one form a bipartite b-matching, whose LP has whole-number optima:
the pairs the LP holds are then a selection worth exactly the bound, and a schedule that
places them all is proven optimal in value.
"""
from __future__ import annotations

from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from services.matching.domain.openings import Openings
from services.matching.domain.scheduling import Candidate

__all__ = ["Selection", "select_meetings"]


@dataclass
class Selection:
    """``chosen``: the pairs the LP holds (value >= 0.5); ``bound``: the LP optimum, a
    value no schedule beats (locked meetings excluded); ``whole``: every LP value was 0 or 1."""

    chosen: list[Candidate]
    bound: float
    whole: bool


def select_meetings(openings: Openings) -> Selection:
    """Solve the value relaxation of ``openings`` (see the module docstring)."""
    pairs = openings.pairs
    if not pairs:
        return Selection([], 0.0, True)
    solver = pywraplp.Solver.CreateSolver("HIGHS_LP")
    solver.SetSolverSpecificParametersAsString("output_flag=false\n")
    held = [solver.NumVar(0.0, 1.0, "") for _ in pairs]
    per_person: dict[str, list] = {}
    open_slots: dict[str, set[int]] = {}
    for opening, var in zip(pairs, held):
        for who in opening.candidate.pair:
            per_person.setdefault(who, []).append(var)
            open_slots.setdefault(who, set()).update(opening.slots)
    for who, group in per_person.items():
        limit = min(openings.room[who], len(open_slots[who]))
        if len(group) > limit:
            solver.Add(solver.Sum(group) <= limit)
    if len(held) > sum(openings.tables_left):
        solver.Add(solver.Sum(held) <= sum(openings.tables_left))
    solver.Maximize(solver.Sum([o.candidate.value * var for o, var in zip(pairs, held)]))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("HiGHS did not solve the value relaxation")
    values = [var.solution_value() for var in held]
    chosen = [o.candidate for o, v in zip(pairs, values) if v >= 0.5]
    whole = all(min(v, 1 - v) < 1e-6 for v in values)
    return Selection(chosen, round(solver.Objective().Value(), 4), whole)
