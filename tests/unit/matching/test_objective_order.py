"""A meet's order of objectives decides which schedule the solver keeps: on both of its
paths (the exact model and the decomposition) the schedule it returns ranks at least as
high under that order as the greedy's, and where the objectives pull apart the order
given wins; a wrong order is refused naming what is wrong."""
from dataclasses import replace
from itertools import permutations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.domain.objectives import DEFAULT_ORDER, OBJECTIVES, order_of, rank
from services.matching.domain.problem_file import BadProblem, problem_from
from services.matching.domain.scheduling import Candidate, Problem, build_schedule
from services.matching.domain.solver import _rank, _solution, solve
from tests.unit.matching.test_solver import assert_solution_is_true, rich_problems

BREAKS_FIRST = ("required", "breaks", "value")


def test_an_order_names_each_objective_once():
    assert order_of(None) == DEFAULT_ORDER == ("required", "value", "breaks")
    assert order_of(["breaks", "required", "value"]) == ("breaks", "required", "value")
    for wrong, says in ((["value", "value", "breaks"], "once"), (["required", "value"], "once"), (["speed", "value", "breaks"], "'speed'")):
        with pytest.raises(ValueError, match=says):
            order_of(wrong)


def test_rank_follows_the_order_then_idle_slots():
    compact, full = dict(required=1, value=10, breaks=0, idle_slots=0), dict(required=1, value=20, breaks=1, idle_slots=1)
    assert rank(DEFAULT_ORDER, **full) > rank(DEFAULT_ORDER, **compact)
    assert rank(BREAKS_FIRST, **compact) > rank(BREAKS_FIRST, **full)


def a_day_with_a_hole() -> Problem:
    """A seller two buyers want, one free only in the first slot and one only in the
    last: both meetings (value 20) leave the seller a break; one (value 10) leaves none."""
    availability = {"s1": frozenset({0, 1, 2}), "b1": frozenset({0}), "b2": frozenset({2})}
    return Problem(["09:00", "09:30", "10:00"], 2, availability, [Candidate("s1", "b1", 10, "request"), Candidate("s1", "b2", 10, "request")])


@pytest.mark.parametrize("model_limit", [40_000, 0], ids=["exact model", "decomposition"])
def test_value_before_breaks_keeps_both_meetings_and_breaks_before_value_keeps_the_day_whole(model_limit):
    problem = a_day_with_a_hole()
    by_value = solve(problem, time_limit=2.0, model_limit=model_limit)
    assert (by_value.schedule.value, by_value.breaks) == (20, 1)

    by_breaks = solve(replace(problem, objectives=BREAKS_FIRST), time_limit=2.0, model_limit=model_limit)
    assert (by_breaks.schedule.value, by_breaks.breaks) == (10, 0)
    if model_limit:
        assert by_breaks.status == "optimal" and by_breaks.value_bound == 10  # the most value without a break, proven
    assert by_breaks.value_bound >= by_breaks.schedule.value


def test_value_before_required_gives_up_a_required_meeting_for_more_value():
    availability = {"s1": frozenset({0}), "b1": frozenset({0}), "b2": frozenset({0})}
    candidates = [Candidate("s1", "b1", 1, "request", required=True), Candidate("s1", "b2", 5, "recommended")]
    problem = Problem(["09:00"], 2, availability, candidates)
    assert [m.buyer_id for m in solve(problem, time_limit=2.0).schedule.meetings] == ["b1"]
    chosen = solve(replace(problem, objectives=("value", "required", "breaks")), time_limit=2.0)
    assert [m.buyer_id for m in chosen.schedule.meetings] == ["b2"]
    assert [lo.candidate.buyer_id for lo in chosen.required_missing] == ["b1"]


@given(rich_problems(), st.sampled_from(list(permutations(OBJECTIVES))), st.sampled_from([40_000, 0]))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_under_any_order_every_rule_holds_and_the_schedule_ranks_at_least_as_high_as_the_greedys(problem, order, model_limit):
    problem = replace(problem, objectives=order)
    solution = solve(problem, time_limit=0.5, model_limit=model_limit)
    assert_solution_is_true(problem, solution)
    greedy = _solution(problem, build_schedule(problem).meetings, solution.value_bound, 0, "greedy")
    assert _rank(problem, solution) >= _rank(problem, greedy)


def test_the_problem_file_takes_an_order_and_refuses_a_wrong_one_naming_the_field():
    doc = {"slots": ["a", "b"], "tables": 1, "participants": {"x": {}, "y": {}}, "meetings": [{"a": "x", "b": "y"}]}
    assert problem_from(doc)[0].objectives == DEFAULT_ORDER
    assert problem_from({**doc, "objectives": list(BREAKS_FIRST)})[0].objectives == BREAKS_FIRST
    for wrong in (["value"], "breaks", ["value", "breaks", 3]):
        with pytest.raises(BadProblem, match="^objectives: "):
            problem_from({**doc, "objectives": wrong})
