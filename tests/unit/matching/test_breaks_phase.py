"""The breaks phase (own bound, everyone at their own minimum, block model,
large-neighbourhood search) reaches the fewest breaks on small events where brute force knows them, and its lower bound
on breaks is never above the true optimum."""
import itertools
import random
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from services.matching.domain.blocks import fewest_broken_days
from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.compaction import improve
from services.matching.domain.openings import openings_of
from services.matching.domain.at_minimum import AtMinimum, at_own_minimum
from services.matching.domain.own_breaks import alone, without_break_alone
from services.matching.domain.race import Race
from services.matching.domain.scheduling import Candidate, Meeting, Problem, build_schedule
from services.matching.domain.solver import solve
from services.matching.domain.time_indexed import ModelOutcome, TimeIndexed
from tests.unit.matching.test_solver import assert_solution_is_true, rich_problems


def small_forum(seed: int) -> Problem:
    """5 to 7 people, 6 or 7 required meetings, 5 or 6 slots in one day, 2 or 3 tables,
    a missing slot or a window here and there."""
    rng = random.Random(seed)
    n_slots = rng.randint(5, 6)
    people = [f"p{i}" for i in range(rng.randint(5, 7))]
    every = frozenset(range(n_slots))
    availability = {who: every - ({rng.randrange(n_slots)} if rng.random() < 0.3 else set()) for who in people}
    pairs = set()
    while len(pairs) < rng.randint(6, 7):
        pairs.add(tuple(sorted(rng.sample(people, 2))))
    candidates = [Candidate(a, b, 1.0, "must_meet", required=True,
                            slots=frozenset(range(n_slots // 2)) if rng.random() < 0.2 else None) for a, b in sorted(pairs)]
    return Problem([f"s{t}" for t in range(n_slots)], rng.randint(2, 3), availability, candidates,
                   default_max_meetings=n_slots, days=[(0, n_slots - 1)])


def fewest_breaks(problem: Problem) -> int | None:
    """Brute force: the fewest breaks of a schedule placing every meeting (None: none does)."""
    domains = []
    for c in problem.candidates:
        slots = problem.availability[c.seller_id] & problem.availability[c.buyer_id]
        domains.append(sorted(slots & c.slots if c.slots is not None else slots))
    best = None
    for choice in itertools.product(*domains):
        per_slot, busy = {}, set()
        fits = True
        for c, t in zip(problem.candidates, choice):
            per_slot[t] = per_slot.get(t, 0) + 1
            if per_slot[t] > problem.tables or (c.seller_id, t) in busy or (c.buyer_id, t) in busy:
                fits = False
                break
            busy |= {(c.seller_id, t), (c.buyer_id, t)}
        if fits:
            slots = person_slots((c.pair, t) for c, t in zip(problem.candidates, choice))
            breaks = sum(breaks_per_person(slots, problem.day_ranges()).values())
            best = breaks if best is None else min(best, breaks)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_the_fewest_breaks_are_found_and_the_bound_is_never_above_them(seed):
    problem = small_forum(seed)
    optimum = fewest_breaks(problem)
    solution = solve(problem, time_limit=2.0)
    assert_solution_is_true(problem, solution)
    if optimum is None:
        assert solution.required_missing
        return
    assert not solution.required_missing
    assert solution.breaks == optimum
    assert solution.breaks_bound <= optimum


def test_a_participant_whose_day_has_a_hole_needs_a_break_and_the_bound_proves_it():
    """Five meetings for someone absent in slot 3 of 0..5: one break at least, whoever the
    partners (each partner free all day): the bound of that participant alone proves it."""
    every = frozenset(range(6))
    partners = [f"q{i}" for i in range(5)]
    availability = {"p": every - {3}, **{q: every for q in partners}}
    candidates = [Candidate("p", q, 1.0, "must_meet", required=True) for q in partners]
    problem = Problem([f"s{t}" for t in range(6)], 3, availability, candidates, default_max_meetings=6, days=[(0, 5)])
    solution = solve(problem, time_limit=2.0)
    assert (solution.breaks, solution.breaks_bound, solution.status) == (1, 1, "optimal")


def greedy_start(problem: Problem) -> list[Meeting]:
    """The greedy's meetings as a start for one of the breaks models (unlocked)."""
    return [replace(m, locked=False) for m in build_schedule(problem).meetings]


@pytest.mark.parametrize("seed", range(6))
def test_the_block_model_places_every_chosen_pair_with_the_fewest_breaks(seed):
    problem = small_forum(seed)
    optimum = fewest_breaks(problem)
    if optimum is None:
        return
    model = TimeIndexed(problem, openings_of(problem))
    hint = greedy_start(problem)
    if len(hint) < len(problem.candidates):
        hint = model.minimise_breaks([], len(problem.candidates), 0, 2.0, 1)[1]
    found = fewest_broken_days(TimeIndexed(problem, openings_of(problem)), hint, time.perf_counter() + 2.0, 1)
    assert {m.pair for m in found.meetings} == {c.pair for c in problem.candidates}
    assert found.breaks == sum(breaks_per_person(person_slots((m.pair, m.slot) for m in found.meetings), problem.day_ranges()).values())
    assert found.breaks == optimum and found.bound <= optimum


def own_fewest(problem: Problem, who: str) -> int:
    """Brute force: the fewest breaks ``who`` needs alone (partners free whenever their
    pair may meet, as many tables as needed)."""
    alone_problem = replace(problem, tables=len(problem.candidates),
                            availability={p: (a if p == who else frozenset(range(len(problem.slots)))) for p, a in problem.availability.items()},
                            candidates=[replace(c, buyer_id=f"{c.pair} partner") if c.seller_id == who else replace(c, seller_id=f"{c.pair} partner")
                                        for c in problem.candidates if who in c.pair])
    alone_problem.availability.update({p: frozenset(range(len(problem.slots))) for c in alone_problem.candidates for p in c.pair if p != who})
    return fewest_breaks(alone_problem)


@pytest.mark.parametrize("seed", range(10))
def test_a_participant_found_without_a_break_alone_needs_none_and_the_quick_test_agrees_with_brute_force(seed):
    problem = small_forum(seed)
    if fewest_breaks(problem) is None:
        return
    openings = openings_of(problem)
    model = TimeIndexed(problem, openings)
    for who in model.people():
        mine = [openings.pairs[k].slots for k in model.pairs_of[who]]
        quick = without_break_alone(mine, set(), problem.day_ranges())
        assert quick == (own_fewest(problem, who) == 0), who  # one day: the quick test is exact


def test_the_quick_test_sees_holes_windows_locks_and_a_day_too_short():
    days = [(0, 5)]
    assert without_break_alone([(0, 1, 2, 3, 4, 5)] * 3, set(), days)
    assert not without_break_alone([(0, 1, 2, 4, 5)] * 5, set(), days)  # absent in slot 3
    assert not without_break_alone([(0,), (0,)], set(), days)  # two meetings, one slot each, the same
    assert without_break_alone([(0, 2), (3,)], {1}, days)  # 1 locked, then 2 and 3
    assert not without_break_alone([(0,), (5,)], {2}, days)
    assert not without_break_alone([(0, 1), (3,)], set(), [(0, 1), (2, 4)])  # a run lies within one day
    assert without_break_alone([], set(), days)


@pytest.mark.parametrize("seed", [*range(4), 15, 18, 27, 29, 23, 25, 59])  # 15-29: someone needs a break alone; 23, 25, 59: the optimum is above the own bound
def test_everyone_at_their_own_minimum_is_a_schedule_with_every_pair_and_exactly_the_own_bound(seed):
    problem = small_forum(seed)
    optimum = fewest_breaks(problem)
    if optimum is None:
        return
    openings = openings_of(problem)
    model = TimeIndexed(problem, openings)
    own = {who: own_fewest(problem, who) for who in model.people()}
    start = model.minimise_breaks([], len(problem.candidates), 0, 2.0, 1)[1]
    outcome = at_own_minimum(TimeIndexed(problem, openings_of(problem)), own, start, time.perf_counter() + 5.0, 1)
    if optimum > sum(own.values()):
        assert outcome == AtMinimum(None, True)  # no schedule has everyone at their minimum, and the search proves it
        return
    found = outcome.meetings
    assert found is not None and {m.pair for m in found} == {c.pair for c in problem.candidates}
    assert_solution_is_true(problem, solve(replace(problem, locked=[replace(m, locked=True, table=0) for m in found]), time_limit=0.5))
    per_person = breaks_per_person(person_slots((m.pair, m.slot) for m in found), problem.day_ranges())
    assert all(per_person.get(who, 0) <= own[who] for who in own) and sum(per_person.values()) == optimum


def test_everyone_at_their_own_minimum_closes_a_day_around_a_locked_meeting():
    """A chain of three required meetings placed with two holes; with nobody needing a
    break, the search fills each day around the locked meeting (d meets e in slot 4)."""
    every = frozenset(range(5))
    problem = Problem([f"s{t}" for t in range(5)], 2, {w: every for w in "abcde"},
                      [Candidate("a", "b", 1.0, required=True), Candidate("b", "c", 1.0, required=True), Candidate("c", "d", 1.0, required=True)],
                      locked=[Meeting("d", "e", 4, 1, locked=True)], default_max_meetings=5, days=[(0, 4)])
    holes = [Meeting("a", "b", 0, 0), Meeting("b", "c", 2, 0), Meeting("c", "d", 0, 0)]
    found = at_own_minimum(TimeIndexed(problem, openings_of(problem)), {}, holes, time.perf_counter() + 2.0, 1).meetings
    slots = person_slots([(m.pair, m.slot) for m in found] + [(("d", "e"), 4)])
    assert sum(breaks_per_person(slots, problem.day_ranges()).values()) == 0
    assert {m.pair for m in found} == {("a", "b"), ("b", "c"), ("c", "d")}


def test_searches_of_a_race_already_stopped_do_not_start(monkeypatch):
    """CP-SAT ignores a stop asked before its search starts: the own minimums, the search
    for everyone at them and the block model each look at the race first."""
    problem = small_forum(15)
    openings = openings_of(problem)
    start = TimeIndexed(problem, openings).minimise_breaks([], len(problem.candidates), 0, 2.0, 1)[1]
    race = Race()
    race.offer(start, 0)
    assert race.stop.is_set()

    def no_search(*_args, **_kwargs):
        raise AssertionError("a search started after the race stopped")

    monkeypatch.setattr(cp_model.CpSolver, "Solve", no_search)
    model = TimeIndexed(problem, openings)
    assert model._own_minimums(start, model.people(), time.perf_counter() + 60, race) == {}
    assert at_own_minimum(TimeIndexed(problem, openings), {}, start, time.perf_counter() + 60, 1, race) == AtMinimum(None, False)
    assert fewest_broken_days(TimeIndexed(problem, openings), start, time.perf_counter() + 60, 1, race).meetings == start


def test_a_forum_is_proven_optimal_once_everyone_is_at_their_own_minimum():
    """Five meetings for p, absent in slot 3 of 0..5 (one break alone), and a second
    participant r with three meetings who needs none: the race proves the optimum, 1."""
    every = frozenset(range(6))
    partners = [f"q{i}" for i in range(5)]
    availability = {"p": every - {3}, "r": every, **{q: every for q in partners}}
    candidates = [Candidate("p", q, 1.0, "must_meet", required=True) for q in partners] + [Candidate("r", q, 1.0, required=True) for q in partners[:3]]
    problem = Problem([f"s{t}" for t in range(6)], 3, availability, candidates, default_max_meetings=6, days=[(0, 5)])
    solution = solve(problem, time_limit=3.0)
    assert (solution.breaks, solution.breaks_bound, solution.status) == (1, 1, "optimal")


def test_alone_a_participant_keeps_their_windows_and_locks_and_nobody_else():
    every = frozenset(range(6))
    problem = Problem([f"s{t}" for t in range(6)], 1, {"p": every - {3}, "q": frozenset({0}), "r": every, "s": every},
                      [Candidate("p", "q", 1.0, required=True), Candidate("p", "r", 1.0, required=True, slots=frozenset({4, 5}))],
                      locked=[Meeting("p", "s", 1, 1, locked=True)])
    openings = openings_of(problem)
    relaxed, hint = alone(problem, openings, "p", [Meeting("p", "q", 0, 0), Meeting("p", "r", 5, 0)])
    assert [c.slots for c in relaxed.candidates] == [frozenset({0}), frozenset({4, 5})]
    assert [(m.slot, m.locked) for m in relaxed.locked] == [(1, True)]
    assert relaxed.tables >= 3 and [m.slot for m in hint] == [0, 5]
    _, meetings, bound = TimeIndexed(relaxed, openings_of(relaxed)).minimise_breaks(hint, 2, 0, 2.0, 1)
    assert bound == 1 and sorted(m.slot for m in meetings) in ([0, 4], [0, 5])


def test_the_search_keeps_the_start_when_no_part_is_solved_and_never_worsens():
    start = [Meeting("a", "b", 0, 0), Meeting("a", "c", 2, 0)]
    worse = [Meeting("a", "b", 0, 0), Meeting("a", "c", 3, 0), Meeting("b", "c", 5, 0)]
    count = lambda meetings: breaks_per_person(person_slots((m.pair, m.slot) for m in meetings), [(0, 5)])  # noqa: E731
    pairs = [("a", "b"), ("a", "c"), ("b", "c")]
    assert improve(start, lambda meetings, free, seconds: (False, None), count, pairs, list(range(6)), 0.2) == start
    assert improve(start, lambda meetings, free, seconds: (True, worse), count, pairs, list(range(6)), 0.2) == start
    better = [Meeting("a", "b", 0, 0), Meeting("a", "c", 1, 0)]
    assert improve(start, lambda meetings, free, seconds: (True, better), count, pairs, list(range(6)), 0.2) == better


@given(rich_problems())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_an_event_where_every_pair_is_required_keeps_every_rule_and_places_what_the_greedy_placed(problem):
    """The block model's path (every open pair required), with locks, windows, days,
    interpreters and caps drawn: every rule holds, no fewer required meetings than the
    greedy, and the breaks bound is below the breaks."""
    problem = replace(problem, candidates=[replace(c, required=True) for c in problem.candidates])
    greedy = build_schedule(problem)
    solution = solve(problem, time_limit=0.5)
    assert_solution_is_true(problem, solution)
    assert len(solution.schedule.meetings) >= len(greedy.meetings)
    assert solution.breaks_bound <= solution.breaks


def test_when_the_greedy_is_kept_for_more_required_meetings_the_models_breaks_bound_is_not_claimed(monkeypatch):
    """A model that ran out of time with fewer required meetings than the greedy proves its
    breaks bound at its own level only: the greedy's schedule, kept, claims none."""
    every = frozenset(range(4))
    problem = Problem([f"s{t}" for t in range(4)], 2, {"a": every, "b": every, "c": every},
                      [Candidate("a", "b", 1.0, required=True), Candidate("a", "c", 1.0, required=True)], days=[(0, 3)])

    def timed_out(self, hint, seconds, workers=2, rearrange=None):
        return ModelOutcome([Meeting("a", "b", 0, 0, 1.0)], False, 2.0, 0, 5, False)

    monkeypatch.setattr(TimeIndexed, "solve", timed_out)
    solution = solve(problem, time_limit=1.0)
    assert len(solution.schedule.meetings) == 2 and solution.method == "greedy"
    assert solution.breaks_bound <= solution.breaks
