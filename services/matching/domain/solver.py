"""The anytime scheduler: the best schedule found within a time limit, and proof of how good.

Order of objectives: the problem's (``Problem.objectives``, ``objectives.py``); by default
the most required meetings, then the most value, then the fewest breaks (idle slots
follow). The greedy (``scheduling.build_schedule``) gives the first schedule. Then:

- an event small enough for the exact time-indexed model (``time_indexed``, at most
  ``MODEL_LIMIT`` pair x slot variables) is solved on CP-SAT from the greedy's schedule,
  which proves value and breaks optimal or bounds them;
- a larger one is decomposed: the value relaxation (``selection``, an LP on HiGHS) picks
  the meetings and bounds the value; ``placement`` puts them (and, separately, the
  greedy's meetings) into compact days; pairs that did not fit are offered the slots left.
  The best of these and the greedy's schedule is kept, and its meetings are moved between
  slots to fewer breaks (``annealing``) until ``DECOMPOSED_SHARE`` of the time limit.
  Breaks are bounded by 0 there.

Under another order than the default, the model is solved one objective at a time in that
order (``TimeIndexed.solve_in_order``), and every choice between schedules (the model's or
the greedy's, the decomposition's options) follows the order.

Raises ``Infeasible`` when the locked meetings cannot all be kept.
"""
from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass, field, replace

from services.matching.domain.breaks import breaks_per_person, drop_breaking, idle_per_person, person_slots
from services.matching.domain.left_out import NOT_SCHEDULABLE, LeftOut, why_left_out
from services.matching.domain.objectives import DEFAULT_ORDER, rank
from services.matching.domain.annealing import anneal
from services.matching.domain.openings import Openings, openings_of
from services.matching.domain.placement import place_compactly
from services.matching.domain.scheduling import Board, Candidate, Meeting, Problem, Schedule, assign_tables, build_schedule, distinct, try_augment, try_place
from services.matching.domain.selection import select_meetings
from services.matching.domain.time_indexed import LEAST, TimeIndexed

log = logging.getLogger(__name__)

__all__ = ["MODEL_LIMIT", "Solution", "solve", "fairness"]

MODEL_LIMIT = 40_000
MARGIN = 0.03  # share of the time limit kept for tables, the report and what the model overruns
DECOMPOSED_SHARE = 0.4  # share of the time limit by which a decomposed event's annealing ends (a national meet's draft is part of its publication's budget)


@dataclass
class Solution:
    """A schedule with its status (``optimal``: value and breaks both proven best;
    ``feasible``), the bounds proven (``value_bound`` >= any schedule's value with as
    many required meetings; ``breaks_bound`` <= the breaks of any schedule of this value),
    breaks and idle slots per participant with meetings, every candidate pair left out
    with its reason, how it was found (``method``) and the wall-clock seconds taken."""

    schedule: Schedule
    status: str
    value_bound: float
    breaks_bound: int
    breaks_per_person: dict[str, int]
    idle_per_person: dict[str, int]
    left_out: list[LeftOut]
    method: str
    seconds: float = 0.0
    required_missing: list[LeftOut] = field(default_factory=list)
    value_optimal: bool = False  # required meetings and value proven best (breaks aside)

    @property
    def breaks(self) -> int:
        return sum(self.breaks_per_person.values())

    @property
    def idle_slots(self) -> int:
        return sum(self.idle_per_person.values())

    @property
    def gap(self) -> float:
        """1 - value / value bound (0: proven optimal in value)."""
        return 0.0 if self.value_bound <= 0 else round(max(0.0, 1 - self.schedule.value / self.value_bound), 6)


def solve(problem: Problem, time_limit: float = 10.0, model_limit: int = MODEL_LIMIT) -> Solution:
    """The best schedule of ``problem`` found within ``time_limit`` seconds (see the module)."""
    started = time.perf_counter()
    greedy = build_schedule(problem)
    try:
        solution, value_bound, size = _improved(problem, greedy, started, time_limit, model_limit)
    except (RuntimeError, ArithmeticError, MemoryError) as exc:
        log.error("scheduler fell back to the greedy schedule", extra={"error": f"{type(exc).__name__}: {exc}"})
        value_bound, size = greedy.upper_bound, 0
        solution = _solution(problem, greedy.meetings, value_bound, 0, f"greedy (the solver failed: {type(exc).__name__})")
    solution.left_out = _left_out(problem, solution.schedule.meetings)
    solution.required_missing = [lo for lo in solution.left_out if lo.candidate.required]
    solution.schedule.unscheduled = [lo.candidate for lo in solution.left_out if lo.reason not in NOT_SCHEDULABLE]
    if size > model_limit and solution.schedule.value >= value_bound - 1e-6 and not solution.required_missing:
        solution.value_optimal = True
        solution.status = "optimal" if solution.breaks == 0 else solution.status
    solution.seconds = round(time.perf_counter() - started, 3)
    return solution


def _improved(problem: Problem, greedy: Schedule, started: float, time_limit: float, model_limit: int) -> tuple[Solution, float, int]:
    """The model's (or the decomposition's) schedule if better than the greedy's, the value
    bound and the model's size; raises what the solvers raise."""
    openings = openings_of(problem)
    selection = select_meetings(openings)
    locked_value = sum(m.value for m in problem.locked)
    value_bound = min(selection.bound + locked_value, greedy.upper_bound)
    size = sum(len(o.slots) for o in openings.pairs)
    if size <= model_limit:
        rearrange = lambda meetings: _unlocked(_placed(problem, _candidates_of(problem, meetings), value_bound))  # noqa: E731
        seconds = time_limit * (1 - MARGIN) - (time.perf_counter() - started)
        model = TimeIndexed(problem, openings)
        if tuple(problem.objectives) == DEFAULT_ORDER:
            outcome = model.solve(_unlocked(greedy.meetings), seconds, rearrange=rearrange)
        else:
            outcome = model.solve_in_order(tuple(problem.objectives), _unlocked(greedy.meetings), seconds)
        meetings = assign_tables(problem, _locked(problem) + outcome.meetings)
        value = round(sum(m.value for m in meetings), 4)
        value_bound = value if outcome.value_optimal else max(value, min(value_bound, outcome.value_bound + locked_value))
        solution = _solution(problem, meetings, value_bound, outcome.breaks_bound, "time-indexed CP-SAT")
        solution.value_optimal = outcome.value_optimal
        if outcome.value_optimal and outcome.breaks_optimal:
            solution.status = "optimal"
    else:
        solution = _decompose(problem, greedy, selection.chosen, value_bound, started + time_limit, openings, started + time_limit * DECOMPOSED_SHARE)
    if size <= model_limit:
        fallback = _solution(problem, greedy.meetings, value_bound, 0, "greedy")
        ours, theirs = _rank(problem, solution), _rank(problem, fallback)
        if theirs > ours:
            before_breaks = problem.objectives.index("breaks")
            same_level = theirs[:before_breaks] == ours[:before_breaks]  # the model's breaks bound holds only at its level
            bound = min(solution.breaks_bound, fallback.breaks) if same_level else 0
            solution = replace(fallback, status="feasible", value_optimal=solution.value_optimal, breaks_bound=bound)
    return solution, value_bound, size


def _decompose(problem: Problem, greedy: Schedule, chosen: list[Candidate], value_bound: float, deadline: float,
               openings: Openings, settle_by: float) -> Solution:
    """The best of the greedy's schedule and the compact placements of the LP's choice and
    of the greedy's meetings, by the problem's order of objectives (``_rank``). A
    placement is tried only while time is left (each takes about as long as the greedy),
    and the second not once the first has reached the value bound (a draft of a national
    meet must stay within the publication's time budget). The best one's meetings are then
    moved between slots to fewer breaks by the annealing (``annealing``; same meetings,
    same value) until ``settle_by``. Under an order with breaks before value, the meetings
    that leave a break are then dropped, least valuable first (``breaks.drop_breaking``;
    required ones stay when required comes before breaks).

    ``bench/scheduler.py``, 70% availability, with a 10 s limit (annealing until 4 s): 500x60x32
    296 -> 124 breaks, 3000x300x32 1,387 -> 919."""
    best = _solution(problem, greedy.meetings, value_bound, 0, "greedy")
    spent = time.perf_counter()
    for method, meetings in (("value LP + compact placement", _required(problem) + chosen),
                             ("greedy + compact placement", _candidates_of(problem, _unlocked(greedy.meetings)))):
        if time.perf_counter() + (time.perf_counter() - spent) > deadline or best.schedule.value >= value_bound - 1e-6 and best.method != "greedy":
            break
        spent = time.perf_counter()
        option = _solution(problem, _placed(problem, meetings, value_bound), value_bound, 0, method)
        if _rank(problem, option) > _rank(problem, best):
            best = option
    if best.breaks and settle_by - time.perf_counter() > LEAST:
        moved = anneal(problem, openings, _unlocked(best.schedule.meetings), settle_by)
        option = _solution(problem, assign_tables(problem, _locked(problem) + moved), value_bound, 0, best.method + ", annealed")
        if _rank(problem, option) > _rank(problem, best):
            best = option
    order = problem.objectives
    if order.index("breaks") < order.index("value") and best.breaks:
        required = _required_pairs(problem) if order.index("required") < order.index("breaks") else set()
        meetings = drop_breaking(best.schedule.meetings, lambda m: (m.pair, m.slot), lambda m: m.value, problem.day_ranges(),
                                 keep=lambda m: m.locked or m.pair in required)
        option = _solution(problem, meetings, value_bound, 0, best.method + ", meetings leaving a break dropped")
        if _rank(problem, option) > _rank(problem, best):
            best = option
    return best


def _rank(problem: Problem, solution: Solution) -> tuple:
    """Sorts solutions best last, by the problem's order of objectives."""
    required = _required_pairs(problem)
    placed = sum(1 for m in solution.schedule.meetings if m.pair in required)
    return rank(problem.objectives, placed, solution.schedule.value, solution.breaks, solution.idle_slots)


def _placed(problem: Problem, chosen: list[Candidate], value_bound: float) -> list[Meeting]:
    """``chosen`` placed compactly around the locked meetings, then every other pair (by
    requirement and value) offered the slots left, moving one meeting if that makes room
    (only while the value is short of ``value_bound``: the moves cost time)."""
    board = Board(problem)
    for meeting in _locked(problem):
        board.place(meeting)
    seen, ordered = set(board.meetings), []
    for candidate in chosen:
        if candidate.pair not in seen:
            seen.add(candidate.pair)
            ordered.append(candidate)
    place_compactly(board, ordered)
    value = sum(m.value for m in board.meetings.values())
    for candidate in sorted(distinct(problem.candidates), key=lambda c: (not c.required, -c.value, c.pair)):
        if candidate.pair in board.meetings or candidate.pair in problem.excluded:
            continue
        if try_place(board, candidate) or (value < value_bound - 1e-6 and try_augment(board, candidate)):
            value += candidate.value
    return assign_tables(problem, list(board.meetings.values()))


def _solution(problem: Problem, meetings: list[Meeting], value_bound: float, breaks_bound: int, method: str) -> Solution:
    """A solution without its left-out pairs (``_left_out`` adds them to the one kept)."""
    value = round(sum(m.value for m in meetings), 4)
    slots = person_slots((m.pair, m.slot) for m in meetings)
    days = problem.day_ranges()
    schedule = Schedule(meetings, [], value, max(value, round(value_bound, 4)))
    return Solution(schedule, "feasible", schedule.upper_bound, breaks_bound, breaks_per_person(slots, days), idle_per_person(slots, days), [], method)


def _left_out(problem: Problem, meetings: list[Meeting]) -> list[LeftOut]:
    board = Board(problem)
    for meeting in meetings:
        board.place(meeting)
    return [why_left_out(board, c) for c in sorted(distinct(problem.candidates), key=lambda c: c.pair) if c.pair not in board.meetings]


def fairness(meetings: list[Meeting], people: list[str]) -> dict[str, float]:
    """Meetings per participant over ``people`` (those with none count as 0): min, median, max."""
    counts = {who: 0 for who in people}
    for meeting in meetings:
        for who in meeting.pair:
            counts[who] = counts.get(who, 0) + 1
    values = list(counts.values()) or [0]
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _locked(problem: Problem) -> list[Meeting]:
    return [replace(m, locked=True) for m in problem.locked]


def _unlocked(meetings: list[Meeting]) -> list[Meeting]:
    return [m for m in meetings if not m.locked]


def _required_pairs(problem: Problem) -> set[tuple[str, str]]:
    return {c.pair for c in _required(problem)}


def _required(problem: Problem) -> list[Candidate]:
    return [c for c in distinct(problem.candidates) if c.required and c.pair not in problem.excluded]


def _candidates_of(problem: Problem, meetings: list[Meeting]) -> list[Candidate]:
    by_pair = {c.pair: c for c in distinct(problem.candidates)}
    return [by_pair[m.pair] for m in meetings]
