"""Every participant at their own fewest breaks: the schedule that meets the own-breaks
bound, found or refuted.

``own_breaks`` bounds the breaks of any schedule by the sum over participants of the
fewest each needs alone. A schedule meeting that bound has every participant at exactly
their own minimum, so searching for it is a satisfaction problem with a hard rule per
participant instead of an objective: a participant who needs no break and whose open
slots and locked meetings all lie in one day fills one run of consecutive slots (exactly:
their busy slots are those of one start among the runs that fit, as in the "consecutive
meetings" constraints of Bofill et al., JAIR 74, 2022); anyone else keeps their breaks at
their minimum (none: one run per day). Hard rules propagate where an
objective does not: on the real forums of Bofill et al. (``bench/data/b2b``) this finds the
proven optimum of tic-12, tic-13, forumt-14 and forum-13 in under a second each, where
minimising broken days took 4-9 s or ended above it.

The search is CP-SAT's local search only (feasibility jump, Luteberget and Sartor,
"Feasibility Jump: an LP-free Lagrangian MIP heuristic", Mathematical Programming
Computation 15, 2023): on one worker it found those schedules in 0.2-1 s (planted forums
up to 5 s), where CP-SAT's default search on one worker found none in 8 s. Local search
cannot prove that no such schedule exists, so the bound is left as it is.

Every pair of the model is placed (exactly once), as in ``blocks.fewest_broken_days``.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

from ortools.sat.python import cp_model

from services.matching.domain.race import Race
from services.matching.domain.scheduling import Meeting

__all__ = ["at_own_minimum"]


def at_own_minimum(model, own: dict[str, int], hint: list[Meeting], until: float, workers: int, race: Race | None = None) -> list[Meeting] | None:
    """A schedule of ``model`` (a ``TimeIndexed`` holding exactly the pairs to place) where
    each participant has at most ``own[who]`` breaks (those not in ``own``: none), searched
    from ``hint`` (valid meetings) until ``until`` (``time.perf_counter()`` seconds) or
    until ``race`` says stop: its unlocked meetings, or None when none was found."""
    cp = model.model
    for k in range(len(model.openings.pairs)):
        cp.AddExactlyOne(model.by_pair[k])
    days = model.problem.day_ranges()
    for who in model.people():
        allowed = own.get(who, 0)
        day = _only_day(model, who, days)
        if allowed == 0 and day is not None:
            _one_run(model, who, day)
        else:
            cp.Add(model.person_breaks(who) <= allowed)
    model._hint(hint)
    solver = model._solver(until - time.perf_counter(), workers)
    solver.parameters.use_ls_only = True
    with race.running(solver) if race is not None else nullcontext():
        if race is not None and race.stop.is_set():  # a stop before Solve starts does not reach it
            return None
        status = solver.Solve(cp)
    return model._read(solver.Value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _only_day(model, who: str, days: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The one day holding every slot open to ``who`` and their locked meetings, if any
    (their number of meetings that day is then known)."""
    slots = set(model.openings.locked_busy.get(who, ())) | {t for k in model.pairs_of.get(who, ()) for t in model.openings.pairs[k].slots}
    return next((day for day in days if all(day[0] <= t <= day[1] for t in slots)), None)


def _one_run(model, who: str, day: tuple[int, int]) -> None:
    """``who``'s meetings (all that day) fill one run of consecutive slots: one start among
    those whose run has every slot open to them or locked, and each slot of the day busy
    exactly when the chosen run covers it."""
    cp, (first, last) = model.model, day
    locked = model.openings.locked_busy.get(who, set())
    n = len(model.pairs_of.get(who, ())) + len(locked)
    busy = {t: (1 if t in locked else sum(model.by_person_slot.get((who, t), []))) for t in range(first, last + 1)}
    fits = lambda t: t in locked or (who, t) in model.by_person_slot  # noqa: E731
    starts = {s: cp.NewBoolVar("") for s in range(first, last - n + 2) if all(fits(t) for t in range(s, s + n))}
    cp.AddExactlyOne(starts.values())
    for t in range(first, last + 1):
        cp.Add(busy[t] == sum(v for s, v in starts.items() if s <= t < s + n))
