"""The anytime solver keeps every hard rule, with locks, windows and required meetings
generated too, on both of its paths (the exact model and the decomposition), and its
bounds and counts are true."""
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.domain.breaks import breaks_per_person, idle_per_person, person_slots
from services.matching.domain.scheduling import Candidate, Problem, build_schedule
from services.matching.domain.solver import solve
from tests.unit.matching.test_scheduling import assert_hard_rules, problems


@st.composite
def rich_problems(draw):
    """``problems()`` with days, windows, required pairs and locks taken from a valid schedule."""
    problem = draw(problems())
    n = len(problem.slots)
    cut = draw(st.integers(0, n - 1))
    days = [(0, cut), (cut + 1, n - 1)] if cut < n - 1 else [(0, n - 1)]
    candidates = [
        replace(c, required=draw(st.booleans()), slots=draw(st.one_of(st.none(), st.frozensets(st.integers(0, n - 1), min_size=1))))
        for c in problem.candidates
    ]
    problem = replace(problem, candidates=candidates, days=days)
    kept = build_schedule(problem).meetings
    locked = [replace(m, locked=True, table=draw(st.sampled_from([0, m.table]))) for m in kept if draw(st.integers(0, 3)) == 0]
    return replace(problem, locked=locked)


def assert_solution_is_true(problem: Problem, solution) -> None:
    meetings = solution.schedule.meetings
    locked_pairs = {m.pair for m in problem.locked}
    free = replace(problem, candidates=[c for c in problem.candidates if c.pair not in locked_pairs])
    assert_hard_rules(free, [m for m in meetings if m.pair not in locked_pairs])
    placed = {m.pair: m for m in meetings}
    for lock in problem.locked:
        assert placed[lock.pair].slot == lock.slot and (not lock.table or placed[lock.pair].table == lock.table)
    windows = {c.pair: c.slots for c in problem.candidates if c.slots is not None}
    assert all(m.slot in windows[m.pair] for m in meetings if m.pair in windows and m.pair not in locked_pairs), "outside its window"
    assert solution.schedule.value <= solution.value_bound + 1e-6
    slots = person_slots((m.pair, m.slot) for m in meetings)
    assert solution.breaks_per_person == breaks_per_person(slots, problem.day_ranges())
    assert solution.idle_per_person == idle_per_person(slots, problem.day_ranges())
    assert 0 <= solution.breaks_bound <= solution.breaks or solution.status == "feasible"
    left = {lo.candidate.pair for lo in solution.left_out}
    assert left == {c.pair for c in problem.candidates if c.pair not in placed}, "a pair left out without a reason"
    assert {lo.candidate.pair for lo in solution.required_missing} == {c.pair for c in problem.candidates if c.required and c.pair not in placed}


@given(rich_problems())
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_exact_model_keeps_every_rule_and_places_what_the_greedy_placed(problem):
    greedy = build_schedule(problem)
    solution = solve(problem, time_limit=0.5)
    assert_solution_is_true(problem, solution)
    required = {c.pair for c in problem.candidates if c.required}
    placed = lambda meetings: sum(1 for m in meetings if m.pair in required)  # noqa: E731
    assert (placed(solution.schedule.meetings), solution.schedule.value) >= (placed(greedy.meetings), greedy.value - 1e-6)


@given(rich_problems())
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_decomposition_keeps_every_rule(problem):
    solution = solve(problem, time_limit=0.5, model_limit=0)
    assert_solution_is_true(problem, solution)
    assert solution.value_bound >= build_schedule(problem).value - 1e-6


def test_required_meetings_are_all_placed_each_in_its_window_before_any_other():
    everyone = {p: frozenset({0, 1}) for p in ("s1", "s2", "b1")}
    candidates = [
        Candidate("s1", "b1", 100, "request", required=True),
        Candidate("s2", "b1", 1, "recommended", required=True, slots=frozenset({0})),
        Candidate("s1", "b2", 50, "recommended"),
    ]
    problem = Problem(["09:00", "09:30"], 2, {**everyone, "b2": frozenset({1})}, candidates)
    solution = solve(problem, time_limit=2.0)
    assert not solution.required_missing and solution.status == "optimal"
    assert {m.pair: m.slot for m in solution.schedule.meetings} == {("s1", "b1"): 1, ("s2", "b1"): 0}
    [left] = solution.left_out
    assert left.candidate.pair == ("s1", "b2") and left.reason == "busy"


def test_a_required_meeting_that_cannot_be_placed_is_named_with_the_reason():
    problem = Problem(["a", "b"], 1, {"s1": frozenset({0}), "b1": frozenset({1}), "s2": frozenset({0, 1}), "b2": frozenset({0, 1})},
                      [Candidate("s1", "b1", 5, required=True), Candidate("s2", "b2", 5, required=True)], default_max_meetings=1)
    solution = solve(problem, time_limit=2.0)
    [missing] = solution.required_missing
    assert missing.candidate.pair == ("s1", "b1") and missing.reason == "availability"


def test_days_without_holes_are_proven_optimal():
    everyone = {p: frozenset(range(6)) for p in ("s1", "s2", "s3", "b1", "b2")}
    candidates = [Candidate(s, b, 10) for s in ("s1", "s2", "s3") for b in ("b1", "b2")]
    problem = Problem([str(t) for t in range(6)], 2, everyone, candidates, days=[(0, 2), (3, 5)])
    solution = solve(problem, time_limit=5.0)
    assert solution.status == "optimal" and solution.breaks == 0 == solution.breaks_bound
    assert len(solution.schedule.meetings) == 6 and solution.value_bound == 60


def test_the_value_lp_bound_is_tighter_than_the_old_one_and_reached():
    availability = {p: frozenset(range(4)) for p in ("s1", "s2", "b1", "b2")}
    candidates = [Candidate("s1", "b1", 10), Candidate("s1", "b2", 9), Candidate("s2", "b1", 8), Candidate("s2", "b2", 1)]
    problem = Problem(["a", "b", "c", "d"], 2, availability, candidates, default_max_meetings=1)
    old = build_schedule(problem).upper_bound
    solution = solve(problem, time_limit=2.0, model_limit=0)
    assert solution.value_bound == solution.schedule.value == 17 < old


@pytest.mark.parametrize("failing", ["select_meetings", "TimeIndexed"])
def test_a_solver_failure_gives_the_greedy_schedule_not_an_error(monkeypatch, failing):
    from services.matching.domain import solver

    def fail(*args, **kwargs):
        raise RuntimeError("CP-SAT found no schedule from a valid hint (UNKNOWN)")

    monkeypatch.setattr(solver, failing, fail)
    problem = Problem(["a", "b", "c"], 2, {p: frozenset({0, 1, 2}) for p in ("s1", "s2", "b1")},
                      [Candidate("s1", "b1", 50), Candidate("s2", "b1", 40)])
    solution = solve(problem, 1.0)
    assert sorted(m.seller_id for m in solution.schedule.meetings) == ["s1", "s2"]
    assert solution.status == "feasible" and solution.method.startswith("greedy (the solver failed")
    assert solution.value_bound >= solution.schedule.value
    assert_hard_rules(problem, solution.schedule.meetings)
