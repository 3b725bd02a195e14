"""Every participant at their own fewest breaks: the schedule that meets the own-breaks
bound, found, refuted, or neither in time.

``own_breaks`` bounds the breaks of any schedule by the sum over participants of the
fewest each needs alone. A schedule meeting that bound has every participant at exactly
their own minimum, so searching for it is a satisfaction problem with a hard rule per
participant instead of an objective: a participant who needs no break and whose open
slots and locked meetings all lie in one day fills one run of consecutive slots (exactly:
their busy slots are those of one start among the runs that fit, as in the "consecutive
meetings" constraints of Bofill et al., "Constraint Solving Approaches to the
Business-to-Business Meeting Scheduling Problem", JAIR 74, 2022); anyone else keeps their
breaks at most at their minimum.

Two more things make the search fast:

- one redundant rule per slot: every meeting holds two participants, so those busy in a
  slot (with an unlocked meeting) are twice the meetings held then: an even number, at
  most twice the tables left. The timetable implies it, but written on each participant's
  busy variable (which the run starts set) it ties everyone's start together: once all
  but one of those who could be busy in a slot are decided, the last one is forced (an
  implied constraint of the kind the paper above found decisive for its MaxSAT models);
- each participant's busyness in each slot is a 0/1 variable of its own, tied both to
  their meetings then and to the starts whose run covers the slot, searched by CP-SAT's
  complete search (clause learning) on one worker without its linear relaxation
  (``linearization_level`` 0). Being complete, it can also prove that no such schedule
  exists: then every schedule has at least one break more than the own minimums' sum.

Measured on one core (``taskset``), model building included, CP-SAT seeds 1-10: forum-14
of ``bench/data/b2b`` (302 meetings, 22 slots; two participants need one break each) at
its optimum of 2 breaks in 1.1-2.7 s every time, planted forum-5 (``bench.forum``, 227
meetings, 17 slots) at 0 in 0.4-0.6 s; tic-12, tic-13, forumt-14, forum-13 and planted
forums 1-4 in 0.05-0.4 s. Without the parity rule forum-14 was not found in 10 s (3
seeds); with the linear relaxation on (CP-SAT's default), neither instance was (6
seeds); the local search used before (feasibility jump) found planted forum-5 in none of
150 s. Near the tables' limit the search is slower: forum-14 with 18 tables took 13 s,
with 17 or fewer it was refuted in under 1.5 s.

Every pair of the model is placed (exactly once).
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass

from ortools.sat.python import cp_model

from services.matching.domain.race import Race
from services.matching.domain.scheduling import Meeting

__all__ = ["AtMinimum", "at_own_minimum"]

@dataclass
class AtMinimum:
    """The outcome of a search: ``meetings`` (unlocked, table 0) of a schedule with everyone
    at most at their own minimum, or None; ``impossible``: proven that none exists (then
    every schedule of the model has at least one break more than the own minimums' sum)."""

    meetings: list[Meeting] | None
    impossible: bool


def at_own_minimum(model, own: dict[str, int], hint: list[Meeting] | None, until: float, workers: int = 1,
                   race: Race | None = None) -> AtMinimum:
    """Search ``model`` (a ``TimeIndexed`` holding exactly the pairs to place, not solved
    before) for a schedule where every participant has at most ``own[who]`` breaks (those
    not in ``own``: none) until ``until`` (``time.perf_counter()`` seconds) or until
    ``race`` says stop (the solver is registered with it, so a stop interrupts the solve),
    with ``workers`` CP-SAT workers (the model's solver settings). ``hint``: valid unlocked
    meetings given to CP-SAT as its hint, or None (in the race the annealing's best as
    hint made the search slower: planted forum-5 in 2.1-2.3 s against 1.0-1.2 s)."""
    cp = model.model
    for k in range(len(model.openings.pairs)):
        cp.AddExactlyOne(model.by_pair[k])
    days = model.problem.day_ranges()
    groups: dict[str, dict[int, list]] = {}
    for (who, t), group in model.by_person_slot.items():
        groups.setdefault(who, {})[t] = group
    busy: dict[str, dict[int, cp_model.IntVar]] = {}
    for who in model.people():
        allowed = own.get(who, 0)
        day = _only_day(model, who, days)
        if allowed == 0 and day is not None:
            busy[who] = _one_run(model, who, day)
        else:
            cp.Add(model.person_breaks(who) <= allowed)
            busy[who] = _busy_slots(cp, groups.get(who, {}))
    _even_slots(model, busy)
    if hint:
        model._hint(hint)
    else:
        cp.ClearHints()
    solver = model._solver(until - time.perf_counter(), workers)
    solver.parameters.linearization_level = 0
    with race.running(solver) if race is not None else nullcontext():
        if race is not None and race.stop.is_set():  # a stop before Solve starts does not reach it
            return AtMinimum(None, False)
        status = solver.Solve(cp)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return AtMinimum(model._read(solver.Value), False)
    return AtMinimum(None, status == cp_model.INFEASIBLE)


def _only_day(model, who: str, days: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The one day holding every slot open to ``who`` and their locked meetings, if any."""
    slots = set(model.openings.locked_busy.get(who, ())) | {t for k in model.pairs_of.get(who, ()) for t in model.openings.pairs[k].slots}
    return next((day for day in days if all(day[0] <= t <= day[1] for t in slots)), None)


def _one_run(model, who: str, day: tuple[int, int]) -> dict[int, cp_model.IntVar]:
    """``who``'s meetings (all that day) fill one run of consecutive slots: one start among
    those whose run has every slot open to them or locked (none: the search is refuted),
    each slot of the day busy exactly when the chosen run covers it. Returns, per slot of
    the day that ``who`` can meet in (unlocked), a 0/1 variable: whether they meet then,
    tied both to their meetings and to the starts covering it."""
    cp, (first, last) = model.model, day
    locked = model.openings.locked_busy.get(who, set())
    n = len(model.pairs_of.get(who, ())) + len(locked)
    fits = lambda t: t in locked or (who, t) in model.by_person_slot  # noqa: E731
    starts = {s: cp.NewBoolVar("") for s in range(first, last - n + 2) if all(fits(t) for t in range(s, s + n))}
    cp.AddExactlyOne(starts.values())
    unlocked = {}
    for t in range(first, last + 1):
        cover = [v for s, v in starts.items() if s <= t < s + n]
        if t in locked:
            cp.Add(sum(cover) == 1)
        else:
            group = model.by_person_slot.get((who, t), [])
            if not group:
                cp.Add(sum(cover) == 0)
                continue
            now = unlocked[t] = cp.NewBoolVar("")
            cp.Add(sum(group) == now)
            cp.Add(sum(cover) == now)
    return unlocked


def _busy_slots(cp: cp_model.CpModel, groups: dict[int, list]) -> dict[int, cp_model.IntVar]:
    """Per slot in ``groups`` (slot -> the meeting variables of one participant then), a
    0/1 variable: whether they meet then (unlocked)."""
    busy = {}
    for t, group in groups.items():
        busy[t] = cp.NewBoolVar("")
        cp.Add(sum(group) == busy[t])
    return busy


def _even_slots(model, busy: dict[str, dict[int, cp_model.IntVar]]) -> None:
    """In each slot, those busy with an unlocked meeting are twice the unlocked meetings
    then: an even number, at most twice the tables left (see the module)."""
    cp = model.model
    by_slot: dict[int, list] = {}
    for slots in busy.values():
        for t, expression in slots.items():
            by_slot.setdefault(t, []).append(expression)
    for t, terms in by_slot.items():
        held = cp.NewIntVar(0, min(model.openings.tables_left[t], len(terms) // 2), "")
        cp.Add(sum(terms) == 2 * held)
