"""The exact time-indexed model on OR-Tools CP-SAT: one yes/no per pair and open slot.

Hard rules as constraints: a pair at most once; nobody in two meetings in one slot; no
more meetings in a slot than tables; nobody beyond their cap; an interpreter in one
meeting at a time (a pair who share no language takes one of its interpreters). Locked
meetings are fixed before the model sees the problem (see ``openings``).

Solved in two phases, lexicographically (the default order of ``objectives``; another
order is solved one objective at a time, ``solve_in_order``). Phase one: the most
required meetings, then the most value; a schedule placing every required pair is sought
first with that as a hard rule (``_all_required``), else one weighted objective (a
required meeting weighs more than all values together). Phase two, with those two held:
the fewest breaks, by the block model (``blocks``: the fewest participant-days with a
break, on the pairs phase one chose), then simulated annealing that moves those meetings
between slots (``annealing``), then large-neighbourhood search on this model
(``compaction``), then, while time is left and the pairs are not forced, this model
whole. The breaks bound is the block
model's or each participant's alone (``own_breaks``) when the pairs are forced (every open
pair placed), else CP-SAT's on the whole model; the value bound is phase one's.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from ortools.sat.python import cp_model

from services.matching.domain.annealing import anneal
from services.matching.domain.at_minimum import at_own_minimum
from services.matching.domain.blocks import Blocks, fewest_broken_days
from services.matching.domain.compaction import improve
from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.openings import Openings, openings_of
from services.matching.domain.own_breaks import alone, without_break_alone
from services.matching.domain.race import Race
from services.matching.domain.scheduling import Meeting, Problem

__all__ = ["ModelOutcome", "TimeIndexed", "VALUE_SCALE"]

VALUE_SCALE = 100  # values are kept to 1/100 in the model (CP-SAT works in integers)
LEAST = 0.05  # seconds under which no further stage starts
FIRST_SHARE = 0.3  # time by which a schedule with every pair must be found when every pair is required (often 0.5 s)
OWN_RACE_SHARE = 0.45  # time by which everyone's fewest breaks alone (own_breaks.py) are known in the race, when every pair is required
AT_MINIMUM_SHARE = 0.7  # time by which the search for everyone at that minimum (at_minimum.py) ends in the race
RACE_SHARE = 0.9  # time by which the race (annealing and CP-SAT at once) ends, when every pair is required
ANNEAL_SHARE = 0.5  # share of the breaks phase left after the block model given to the annealing, otherwise
REQUIRED_SHARE = 0.6  # time for a schedule with every required pair (required meetings come first)
VALUE_SHARE = 0.7  # time by which the value phase ends when there is none (or no required pair)
BLOCKS_SHARE = 0.8  # share of the breaks phase given to the block model (blocks.py)
OWN_SHARE = 0.5  # share of what is left after the blocks for the bound of each participant alone
WHOLE_SHARE = 0.25  # share of what is left after it for the whole model (its bound), when the blocks prove none


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
        self.by_pair: list[list[cp_model.IntVar]] = []
        self.pairs_of: dict[str, list[int]] = {}
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
            self.by_pair.append(mine)
            for who in opening.candidate.pair:
                self.pairs_of.setdefault(who, []).append(k)
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
        place as many required meetings and as much value as the value phase found.

        When every open pair is required (a business forum), both phases are one: every
        pair placed with the fewest breaks by the race of ``_raced``, then the rest of
        phase two (``_fewer_breaks``); if no schedule with every pair is found (not all
        pairs fit), the two phases follow in the time left."""
        deadline = time.perf_counter() + seconds
        if self.openings.pairs and all(o.candidate.required for o in self.openings.pairs):
            blocks = self._raced(hint, deadline, seconds, workers)
            if blocks.meetings is not None:
                value = self._score(blocks.meetings)[1] / VALUE_SCALE
                return self._fewer_breaks(blocks, True, value, deadline, workers)
            seconds = deadline - time.perf_counter()
        breaks = self._breaks()
        self.model.Maximize(self.weight * self.required + self.value)
        self._hint(hint)
        found = self._all_required(seconds * REQUIRED_SHARE, workers) if deadline - time.perf_counter() > LEAST else None
        if found is None and deadline - time.perf_counter() > LEAST:
            solver = self._solver(min(deadline - time.perf_counter(), max(0.1 * seconds, seconds * VALUE_SHARE - (time.perf_counter() - deadline + seconds))), workers)
            found = self._value_phase(solver, solver.Solve(self.model))
        first, value_optimal, value_bound = found or (hint, False, float("inf"))
        required, value = self._score(first)
        starts = [first, hint] + ([rearrange(first), rearrange(hint)] if rearrange and deadline - time.perf_counter() > LEAST else [])
        start = min((s for s in starts if self._score(s) >= (required, value)), key=self._count_breaks)
        self.model.Add(self.required >= required)
        self.model.Add(self.value >= value)
        self.model.Minimize(breaks)
        if deadline - time.perf_counter() <= LEAST:
            return ModelOutcome(start, value_optimal, value_bound, self._count_breaks(start), 0, False)
        blocks = self._blocks(start, deadline - (deadline - time.perf_counter()) * (1 - BLOCKS_SHARE), workers)
        if blocks.meetings is not None and blocks.breaks > blocks.bound and deadline - time.perf_counter() > LEAST:
            annealed = anneal(self.problem, self.openings, blocks.meetings, deadline - (deadline - time.perf_counter()) * (1 - ANNEAL_SHARE))
            blocks = replace(blocks, meetings=annealed, breaks=self._count_breaks(annealed), optimal=False)
        return self._fewer_breaks(blocks, value_optimal, value_bound, deadline, workers)

    def _raced(self, hint: list[Meeting], deadline: float, seconds: float, workers: int) -> Blocks:
        """Every pair placed with the fewest breaks, when every open pair is required: a
        schedule with every pair (``_every_pair``) by ``FIRST_SHARE`` of the time, then two
        searches at once sharing what they find (``race``) until ``RACE_SHARE``. In the
        caller, the annealing (``annealing``); in a thread (when ``workers`` > 1), on one
        worker: the fewest breaks each participant needs alone (``own_breaks``, the bound,
        by ``OWN_RACE_SHARE``), then a schedule with everyone at that minimum
        (``at_minimum``, which meets the bound, or proves that none exists, which raises
        the bound by one, by ``AT_MINIMUM_SHARE``), then the block
        model (``blocks``, which also proves a bound) from the best schedule met by
        either. Both stop once one meets the bound. ``meetings`` is None when no schedule
        with every pair was found (not all pairs fit, or not in time).

        Ten forums of ``bench/scheduler.py``, 10 s each: all proven optimal, tic-12,
        tic-13, forumt-14, forum-13 and planted forums 1-5 in 0.2-1.0 s, forum-14 (2
        breaks) in 1.5-2.0 s (before the parity rule of ``at_minimum``: forum-14 3-5
        breaks, bound 2, and planted forum-5 1-2, bound 0)."""
        start = TimeIndexed(self.problem, self.openings)._every_pair(hint, deadline - seconds * (1 - FIRST_SHARE), workers)
        if start is None:
            return Blocks(None, 0, 0, False)
        race, until = Race(), deadline - seconds * (1 - RACE_SHARE)
        race.offer(start, self._count_breaks(start))
        race_start = {who: 0 for who in self.people()} | self._per_person(start)

        def exact() -> None:
            try:
                people = sorted(self.people(), key=lambda who: -race_start[who])
                own = self._own_minimums(start, people, deadline - seconds * (1 - OWN_RACE_SHARE), race)
                race.prove(sum(own.values()))
                if not race.stop.is_set() and deadline - seconds * (1 - AT_MINIMUM_SHARE) - time.perf_counter() > LEAST:
                    outcome = at_own_minimum(TimeIndexed(self.problem, self.openings), own, None, deadline - seconds * (1 - AT_MINIMUM_SHARE), 1, race)
                    if outcome.meetings is not None:
                        race.offer(outcome.meetings, self._count_breaks(outcome.meetings))
                    elif outcome.impossible:
                        race.prove(sum(own.values()) + 1)  # someone is above the minimum ``own`` gives them, which is at most their own
                if not race.stop.is_set() and until - time.perf_counter() > LEAST:
                    fewest_broken_days(TimeIndexed(self.problem, self.openings), race.best, until, 1, race)
            except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
                race.error = exc

        searcher = threading.Thread(target=exact, name="cp-sat breaks search", daemon=True) if workers > 1 else None
        if searcher is not None:
            searcher.start()
        try:
            anneal(self.problem, self.openings, race.best, until, race)
        except BaseException:
            race.halt()
            raise
        finally:
            if searcher is not None:
                searcher.join()
        if race.error is not None:
            raise race.error
        return Blocks(race.best, int(race.breaks), race.bound, race.breaks <= race.bound)

    def _every_pair(self, hint: list[Meeting], until: float, workers: int) -> list[Meeting] | None:
        """A schedule placing every open pair (exactly once), searched without objective
        from ``hint`` until ``until``; None when none was found."""
        for k in range(len(self.openings.pairs)):
            self.model.AddExactlyOne(self.by_pair[k])
        self._hint(hint)
        solver = self._solver(until - time.perf_counter(), workers)
        status = solver.Solve(self.model)
        return self._read(solver.Value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    def solve_in_order(self, order: tuple[str, ...], hint: list[Meeting], seconds: float, workers: int = 2) -> ModelOutcome:
        """The best schedule found within ``seconds`` under another ``order`` of the
        objectives than the default (``objectives.py``): one solve per objective, in
        order, each from the best schedule so far, given an equal share of the time left
        and with the levels reached before it held as constraints. ``hint``: a valid
        schedule of unlocked meetings (the greedy's). Each bound holds among schedules at
        the levels of the objectives before it: ``value_bound`` (with ``breaks`` before
        ``value``) among those with as few breaks."""
        deadline = time.perf_counter() + seconds
        terms = {"required": (self.required, 1), "value": (self.value, 1), "breaks": (self._breaks(), -1)}
        best, proven, bounds = hint, {}, {}
        for number, name in enumerate(order):
            expression, sense = terms[name]
            before = self._measure(name, best)
            left = deadline - time.perf_counter()
            proven[name], bounds[name] = False, None
            if left > LEAST:
                self.model.Maximize(expression) if sense > 0 else self.model.Minimize(expression)
                self._hint(best)
                solver = self._solver(left / (len(order) - number), workers)
                status = solver.Solve(self.model)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    found = self._read(solver.Value)
                    if sense * self._measure(name, found) >= sense * before:
                        best = found
                    proven[name] = status == cp_model.OPTIMAL and self._measure(name, best) == round(solver.ObjectiveValue())
                    bounds[name] = solver.BestObjectiveBound()
            level = self._measure(name, best)
            self.model.Add(expression >= level) if sense > 0 else self.model.Add(expression <= level)
        value = self._measure("value", best)
        value_bound = value if bounds["value"] is None else max(value, bounds["value"])
        breaks = self._measure("breaks", best)
        breaks_bound = 0 if bounds["breaks"] is None else min(breaks, max(0, int(-(-bounds["breaks"] // 1))))
        value_optimal = proven["value"] and all(proven[n] for n in order[:order.index("value")])
        breaks_optimal = breaks_bound == breaks and all(proven[n] for n in order[:order.index("breaks")])
        return ModelOutcome(best, value_optimal, value_bound / VALUE_SCALE, breaks, breaks_bound, breaks_optimal)

    def _measure(self, name: str, meetings: list[Meeting]) -> int:
        """One objective of a schedule of unlocked meetings, in the model's units."""
        if name == "breaks":
            return self._count_breaks(meetings)
        return self._score(meetings)[0 if name == "required" else 1]

    def _fewer_breaks(self, blocks: Blocks, value_optimal: bool, value_bound: float, deadline: float, workers: int) -> ModelOutcome:
        """Phase two after the block model: each participant's own bound when the pairs
        are forced, the LNS, then the whole model (its objective set to the breaks with
        phase one's levels held) when they are not."""
        best, found = blocks.meetings, blocks.breaks
        forced = self._forced(best)
        bound = blocks.bound if forced else 0
        if found > bound and forced and deadline - time.perf_counter() > LEAST:
            mine = self._per_person(best)
            until = time.perf_counter() + (deadline - time.perf_counter()) * OWN_SHARE
            bound = max(bound, sum(self._own_minimums(best, [who for who, n in sorted(mine.items()) if n > 0], until).values()))
        if found > bound and deadline - time.perf_counter() > LEAST:
            pairs = [o.candidate.pair for o in self.openings.pairs]
            whole = 0.0 if forced else WHOLE_SHARE * (deadline - time.perf_counter())
            best = improve(best, self._part(1), self._per_person, pairs, list(range(len(self.problem.slots))), deadline - time.perf_counter() - whole)
            found = self._count_breaks(best)
        if found > bound and not forced and deadline - time.perf_counter() > LEAST:
            self._hint(best)
            solver = self._solver(deadline - time.perf_counter(), workers)
            status = solver.Solve(self.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if round(solver.ObjectiveValue()) < found:
                    best, found = self._read(solver.Value), round(solver.ObjectiveValue())
                bound = max(0, int(-(-solver.BestObjectiveBound() // 1)))
        bound = min(bound, found)
        return ModelOutcome(best, value_optimal, value_bound, found, bound, bound == found)

    def _own_minimums(self, meetings: list[Meeting], people: list[str], until: float, race: Race | None = None) -> dict[str, int]:
        """The fewest breaks each of ``people`` needs alone (``own_breaks``), found by
        ``until`` or until ``race`` says stop: none for those whose meetings fit one run of
        a day (``without_break_alone``), else the exact model's proven bound for them
        alone. Those not reached are left out (0 bounds them). ``meetings``: a schedule
        holding every open pair."""
        own: dict[str, int] = {}
        for who in people:
            if until - time.perf_counter() < 0.01 or (race is not None and race.stop.is_set()):
                break
            mine = [self.openings.pairs[k].slots for k in self.pairs_of.get(who, ())]
            if without_break_alone(mine, self.openings.locked_busy.get(who, set()), self.problem.day_ranges()):
                own[who] = 0
                continue
            relaxed, hint = alone(self.problem, self.openings, who, meetings)
            model = TimeIndexed(relaxed, openings_of(relaxed))
            own[who] = model.minimise_breaks(hint, len(hint), 0, until - time.perf_counter(), 1)[2]
        return own

    def _blocks(self, start: list[Meeting], until: float, workers: int) -> Blocks:
        """``blocks.fewest_broken_days`` on the pairs of ``start``, until ``until``."""
        chosen = {m.pair for m in start}
        if not chosen:
            return Blocks(start, self._count_breaks(start), 0, True)
        sub = replace(self.problem, candidates=[o.candidate for o in self.openings.pairs if o.candidate.pair in chosen])
        return fewest_broken_days(TimeIndexed(sub, openings_of(sub)), start, until, workers)

    def _forced(self, meetings: list[Meeting]) -> bool:
        """Whether every schedule as good in required meetings and value holds exactly the
        pairs of ``meetings``: they are all the open pairs, each required or of positive
        value (leaving one out would lose a required meeting or value)."""
        placed = {m.pair for m in meetings}
        return all(o.candidate.pair in placed and (o.candidate.required or o.candidate.value > 0) for o in self.openings.pairs)

    def _all_required(self, seconds: float, workers: int) -> tuple[list[Meeting], bool, float] | None:
        """The value phase with every open required pair placed, as a hard rule: first a
        schedule with all of them, searched without objective (CP-SAT finds one far
        sooner so: forum-14 of Bofill et al., under 1 s against 8 s when weighing required
        pairs), then the most value from it (not needed when it holds every open pair).
        The rule is then lifted (its enforcement literal left free), so that an event
        where it is infeasible is solved without it. None when no such schedule was found;
        else as ``_value_phase``."""
        deadline = time.perf_counter() + seconds
        total = sum(1 for o in self.openings.pairs if o.candidate.required)
        if total == 0:
            return None
        enforce = self.model.NewBoolVar("all_required")
        self.model.Add(self.required >= total).OnlyEnforceIf(enforce)
        domain = self.model.Proto().variables[enforce.Index()].domain
        domain[0] = 1
        try:
            self.model.clear_objective()
            solver = self._solver(seconds, workers)
            status = solver.Solve(self.model)
            self.model.Maximize(self.weight * self.required + self.value)
            if status != cp_model.OPTIMAL:
                return None
            first = self._read(solver.Value)
            if len(first) == len(self.openings.pairs):
                return first, True, self._score(first)[1] / VALUE_SCALE
            self._hint(first)
            solver = self._solver(deadline - time.perf_counter(), workers)
            return self._value_phase(solver, solver.Solve(self.model)) or (first, False, float("inf"))
        finally:
            domain[0] = 0

    def _value_phase(self, solver: cp_model.CpSolver, status) -> tuple[list[Meeting], bool, float] | None:
        """(schedule, proven best in required meetings then value, value bound among
        schedules with as many required meetings) of a value-phase solve; None if none."""
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        first = self._read(solver.Value)
        required = self._score(first)[0]
        bound = min(solver.BestObjectiveBound(), solver.ObjectiveValue()) if status == cp_model.OPTIMAL else solver.BestObjectiveBound()
        return first, status == cp_model.OPTIMAL, (bound - self.weight * required) / VALUE_SCALE

    def minimise_breaks(self, hint: list[Meeting], required: int, value: int, seconds: float, workers: int) -> tuple[bool, list[Meeting] | None, int]:
        """The fewest breaks keeping at least ``required`` required meetings and ``value``
        (model units), from ``hint``: (proven optimal, unlocked meetings, proven lower
        bound), or (False, None, 0) when nothing was found in time."""
        breaks = self._breaks()
        self.model.Add(self.required >= required)
        self.model.Add(self.value >= value)
        self.model.Minimize(breaks)
        self._hint(hint)
        solver = self._solver(seconds, workers)
        status = solver.Solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, None, 0
        return status == cp_model.OPTIMAL, self._read(solver.Value), max(0, int(-(-solver.BestObjectiveBound() // 1)))

    def _part(self, workers: int):
        """Solves a part for ``compaction.improve``: the free pairs on the exact model of
        the problem with every other meeting locked where it is."""
        def part(meetings: list[Meeting], free: set[tuple[str, str]], seconds: float):
            kept = [m for m in meetings if m.pair not in free]
            inside = [m for m in meetings if m.pair in free]
            candidates = [o.candidate for o in self.openings.pairs if o.candidate.pair in free]
            sub = replace(self.problem, candidates=candidates, locked=list(self.problem.locked) + [replace(m, locked=True) for m in kept])
            model = TimeIndexed(sub, openings_of(sub))
            optimal, found, _ = model.minimise_breaks(inside, *model._score(inside), seconds, workers)
            return optimal, None if found is None else kept + found
        return part

    def _score(self, meetings: list[Meeting]) -> tuple[int, int]:
        """(required meetings, value in model units) of a schedule of unlocked meetings."""
        chosen = [self.openings.pairs[self.index[m.pair]].candidate for m in meetings if m.pair in self.index]
        return sum(1 for c in chosen if c.required), sum(round(c.value * VALUE_SCALE) for c in chosen)

    def _per_person(self, meetings: list[Meeting]) -> dict[str, int]:
        """Breaks per participant of a schedule of unlocked meetings (locked ones added)."""
        locked = [(m.pair, m.slot) for m in self.problem.locked]
        return breaks_per_person(person_slots(locked + [(m.pair, m.slot) for m in meetings]), self.problem.day_ranges())

    def _count_breaks(self, meetings: list[Meeting]) -> int:
        return sum(self._per_person(meetings).values())

    def _solver(self, seconds: float, workers: int) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = 7
        return solver

    def _hint(self, meetings: list[Meeting]) -> None:
        self.model.ClearHints()
        for index, value in self._values(meetings).items():
            self.model.AddHint(self.model.GetBoolVarFromProtoIndex(index), bool(value))

    def _breaks(self):
        """The breaks of every participant as a linear expression (``person_breaks``)."""
        return sum(self.person_breaks(who) for who in self.people())

    def people(self) -> list[str]:
        """Everyone with an open pair or a locked meeting, sorted."""
        return sorted({who for who, _ in self.by_person_slot} | set(self.openings.locked_busy))

    def person_breaks(self, who: str):
        """``who``'s breaks as a linear expression: per day, the runs of meetings that start
        (a meeting with none in the slot before), less one for a day with any meeting. Each
        slot's "busy" is a variable of its own, tied to the meetings; a run's start and a
        day's use are tied to them both ways (exact, not only bounded below: propagation
        then sees a break as soon as its slots are decided)."""
        model, total = self.model, 0
        for first, last in self.problem.day_ranges():
            busy = [self._busy(who, t) for t in range(first, last + 1)]
            if not any(b is not None for b in busy):
                continue
            starts, before = [], None
            for now in busy:
                if now is not None:
                    start = model.NewBoolVar("")
                    model.AddBoolOr([start, now.Not()] + ([before] if before is not None else []))
                    model.AddImplication(start, now)
                    if before is not None:
                        model.AddImplication(start, before.Not())
                    starts.append(start)
                before = now
            used = model.NewBoolVar("")
            model.AddBoolOr([b for b in busy if b is not None]).OnlyEnforceIf(used)
            for b in busy:
                if b is not None:
                    model.AddImplication(b, used)
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

    def _values(self, meetings: list[Meeting]) -> dict[int, int]:
        """The 0/1 value of every meeting and interpreter variable (by proto index) for a
        schedule of unlocked meetings."""
        placed = {(m.pair, m.slot): m.interpreter for m in meetings}
        values = {var.Index(): int((self.openings.pairs[k].candidate.pair, t) in placed) for (k, t), var in self.x.items()}
        for (k, t, i), var in self.y.items():
            key = (self.openings.pairs[k].candidate.pair, t)
            values[var.Index()] = int(key in placed and placed[key] == i)
        return values

    def _read(self, value: Callable) -> list[Meeting]:
        """The unlocked meetings of an assignment; ``value`` gives a variable's value."""
        meetings = []
        for (k, t), var in self.x.items():
            if value(var):
                c = self.openings.pairs[k].candidate
                helper = next((i for i in self.openings.pairs[k].interpreters.get(t, ()) if value(self.y[(k, t, i)])), None)
                meetings.append(Meeting(c.seller_id, c.buyer_id, t, 0, c.value, c.kind, interpreter=helper))
        return meetings
