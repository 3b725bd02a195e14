"""The exact time-indexed model on OR-Tools CP-SAT: one yes/no per pair and open slot.

Hard rules as constraints: a pair at most once; nobody in two meetings in one slot; no
more meetings in a slot than tables; nobody beyond their cap; an interpreter in one
meeting at a time (a pair who share no language takes one of its interpreters). Locked
meetings are fixed before the model sees the problem (see ``openings``).

Solved in two phases, lexicographically: first the most required meetings, then the most
value (one weighted objective: a required meeting weighs more than all values together);
then, with those two held at what phase one found, the fewest breaks. CP-SAT reports a
proven bound for each phase, which becomes the value bound and the breaks bound.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ortools.sat.python import cp_model

from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.openings import Openings
from services.matching.domain.scheduling import Meeting, Problem

__all__ = ["ModelOutcome", "TimeIndexed", "VALUE_SCALE"]

VALUE_SCALE = 100  # values are kept to 1/100 in the model (CP-SAT works in integers)


@dataclass
class ModelOutcome:
    """The model's schedule (unlocked meetings, table 0) and what it proved.

    ``value_bound``: no schedule placing as many required meetings has more value (locked
    meetings excluded); ``breaks_bound``: no schedule keeping this many required meetings
    and this value has fewer breaks (locked meetings included)."""

    meetings: list[Meeting]
    value_optimal: bool
    value_bound: float
    breaks: int
    breaks_bound: int
    breaks_optimal: bool


class TimeIndexed:
    """The CP-SAT model of ``problem`` given its ``openings``; ``size`` is its number of
    meeting variables (callers skip the model when that is too many to solve in time)."""

    def __init__(self, problem: Problem, openings: Openings):
        self.problem, self.openings = problem, openings
        self.model = model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.y: dict[tuple[int, int, str], cp_model.IntVar] = {}
        by_person_slot: dict[tuple[str, int], list] = {}
        by_slot: dict[int, list] = {}
        by_person: dict[str, list] = {}
        by_interpreter: dict[tuple[str, int], list] = {}
        for k, opening in enumerate(openings.pairs):
            mine = []
            for t in opening.slots:
                var = self.x[(k, t)] = model.NewBoolVar(f"x{k}_{t}")
                mine.append(var)
                by_slot.setdefault(t, []).append(var)
                for who in opening.candidate.pair:
                    by_person_slot.setdefault((who, t), []).append(var)
                    by_person.setdefault(who, []).append(var)
                if opening.candidate.interpreters is not None:
                    helpers = [self._helper(k, t, i, by_interpreter) for i in opening.interpreters[t]]
                    model.Add(sum(helpers) == var)
            model.AddAtMostOne(mine)
        for group in by_person_slot.values():
            if len(group) > 1:
                model.AddAtMostOne(group)
        for t, group in by_slot.items():
            if len(group) > openings.tables_left[t]:
                model.Add(sum(group) <= openings.tables_left[t])
        for who, group in by_person.items():
            if len(group) > openings.room[who]:
                model.Add(sum(group) <= openings.room[who])
        for group in by_interpreter.values():
            if len(group) > 1:
                model.AddAtMostOne(group)
        self.by_person_slot = by_person_slot
        self.required = sum(v for (k, _), v in self.x.items() if openings.pairs[k].candidate.required)
        self.value = sum(round(openings.pairs[k].candidate.value * VALUE_SCALE) * v for (k, _), v in self.x.items())
        self.index = {o.candidate.pair: k for k, o in enumerate(openings.pairs)}
        self.weight = sum(max(0, round(o.candidate.value * VALUE_SCALE)) for o in openings.pairs) + 1

    def _helper(self, k: int, t: int, interpreter: str, by_interpreter: dict) -> cp_model.IntVar:
        var = self.y[(k, t, interpreter)] = self.model.NewBoolVar(f"y{k}_{t}_{interpreter}")
        by_interpreter.setdefault((interpreter, t), []).append(var)
        return var

    @property
    def size(self) -> int:
        return len(self.x)

    def solve(self, hint: list[Meeting], seconds: float, workers: int = 2, rearrange: Callable[[list[Meeting]], list[Meeting]] | None = None) -> ModelOutcome:
        """The best schedule found within ``seconds`` (wall clock, both phases), starting
        from ``hint`` (a valid schedule: the greedy's). The breaks phase starts from the
        schedule with the fewest breaks among the value phase's, the hint and what
        ``rearrange`` makes of each (valid schedules of unlocked meetings), those that
        place as many required meetings and as much value as the value phase found."""
        breaks = self._breaks()
        self.model.Maximize(self.weight * self.required + self.value)
        self._hint({(m.pair, m.slot): m.interpreter for m in hint})
        solver = self._solver(seconds * 0.4, workers)
        status = solver.Solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"CP-SAT found no schedule from a valid hint ({solver.StatusName(status)})")
        value_optimal = status == cp_model.OPTIMAL
        required, value = solver.Value(self.required), solver.Value(self.value)
        bound = min(solver.BestObjectiveBound(), solver.ObjectiveValue()) if value_optimal else solver.BestObjectiveBound()
        value_bound = (bound - self.weight * required) / VALUE_SCALE
        first = self._read(solver)
        starts = [first, hint] + ([rearrange(first), rearrange(hint)] if rearrange else [])
        start = min((s for s in starts if self._score(s) >= (required, value)), key=self._count_breaks)
        self.model.Add(self.required >= required)
        self.model.Add(self.value >= value)
        self.model.Minimize(breaks)
        self._hint({(m.pair, m.slot): m.interpreter for m in start})
        solver = self._solver(max(0.5, seconds - solver.WallTime()), workers)
        status = solver.Solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return ModelOutcome(start, value_optimal, value_bound, self._count_breaks(start), 0, False)
        return ModelOutcome(self._read(solver), value_optimal, value_bound, round(solver.ObjectiveValue()),
                            max(0, int(-(-solver.BestObjectiveBound() // 1))), status == cp_model.OPTIMAL)

    def _score(self, meetings: list[Meeting]) -> tuple[int, int]:
        """(required meetings, value in model units) of a schedule of unlocked meetings."""
        chosen = [self.openings.pairs[self.index[m.pair]].candidate for m in meetings if m.pair in self.index]
        return sum(1 for c in chosen if c.required), sum(round(c.value * VALUE_SCALE) for c in chosen)

    def _count_breaks(self, meetings: list[Meeting]) -> int:
        locked = [(m.pair, m.slot) for m in self.problem.locked]
        slots = person_slots(locked + [(m.pair, m.slot) for m in meetings])
        return sum(breaks_per_person(slots, self.problem.day_ranges()).values())

    def _solver(self, seconds: float, workers: int) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = 7
        return solver

    def _hint(self, placed: dict[tuple[tuple[str, str], int], str | None]) -> None:
        self.model.ClearHints()
        for (k, t), var in self.x.items():
            self.model.AddHint(var, ((self.openings.pairs[k].candidate.pair, t) in placed))
        for (k, t, i), var in self.y.items():
            key = (self.openings.pairs[k].candidate.pair, t)
            self.model.AddHint(var, key in placed and placed[key] == i)

    def _breaks(self):
        """The breaks of every participant as a linear expression: per day, the runs of
        meetings that start (a meeting with none in the slot before), less one for a day
        with any meeting. Each slot's "busy" is a variable of its own, tied to the meetings."""
        model, total = self.model, 0
        locked = self.openings.locked_busy
        people = {who for who, _ in self.by_person_slot} | set(locked)
        for who in sorted(people):
            for first, last in self.problem.day_ranges():
                busy = [self._busy(who, t) for t in range(first, last + 1)]
                if not any(b is not None for b in busy):
                    continue
                starts, before = [], None
                for now in busy:
                    if now is not None:
                        start = model.NewBoolVar("")
                        model.AddBoolOr([start, now.Not()] + ([before] if before is not None else []))
                        starts.append(start)
                    before = now
                used = model.NewBoolVar("")
                model.AddBoolOr([b for b in busy if b is not None]).OnlyEnforceIf(used)
                total += sum(starts) - used
        return total

    def _busy(self, who: str, t: int):
        """A variable true when ``who`` meets in slot ``t``; None when they cannot."""
        if t in self.openings.locked_busy.get(who, ()):
            return self.model.NewConstant(1)
        group = self.by_person_slot.get((who, t))
        if not group:
            return None
        var = self.model.NewBoolVar("")
        self.model.Add(sum(group) == var)
        return var

    def _read(self, solver: cp_model.CpSolver) -> list[Meeting]:
        meetings = []
        for (k, t), var in self.x.items():
            if solver.Value(var):
                c = self.openings.pairs[k].candidate
                helper = next((i for i in self.openings.pairs[k].interpreters.get(t, ()) if solver.Value(self.y[(k, t, i)])), None)
                meetings.append(Meeting(c.seller_id, c.buyer_id, t, 0, c.value, c.kind, interpreter=helper))
        return meetings
