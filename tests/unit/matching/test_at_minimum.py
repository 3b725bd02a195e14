"""Everyone at their own fewest breaks (``at_minimum``): the search finds a schedule that
keeps every rule with everyone at their minimum, or proves that none exists, and never
claims one that breaks a rule; a proof raises the race's bound by one."""
import time
from dataclasses import replace

from ortools.sat.python import cp_model

from services.matching.domain.at_minimum import AtMinimum, at_own_minimum
from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.openings import openings_of
from services.matching.domain.race import Race
from services.matching.domain.scheduling import Candidate, Meeting, Problem
from services.matching.domain.solver import solve
from services.matching.domain.time_indexed import TimeIndexed
from tests.unit.matching.test_breaks_phase import small_forum
from tests.unit.matching.test_scheduling import assert_hard_rules


def seated(problem: Problem, found: list[Meeting]) -> list[Meeting]:
    """``found`` (table 0) at the tables its slot's locked meetings leave, in turn; an
    IndexError when a slot holds more meetings than tables."""
    free = {t: [n for n in range(1, problem.tables + 1) if all(m.table != n for m in problem.locked if m.slot == t)] for t in range(len(problem.slots))}
    return [replace(m, table=free[m.slot].pop(0)) for m in found]


def assert_at_own_minimum(problem: Problem, found: list[Meeting], own: dict[str, int]) -> None:
    """``found`` (unlocked meetings) with the locked ones places every pair once, keeps
    every rule (``assert_hard_rules``, windows) and has everyone at most at their own
    minimum (the project's break counter)."""
    locked = {m.pair for m in problem.locked}
    assert sorted(m.pair for m in found) == sorted(c.pair for c in problem.candidates if c.pair not in locked)
    assert_hard_rules(problem, seated(problem, found) + list(problem.locked))
    windows = {c.pair: c.slots for c in problem.candidates if c.slots is not None}
    assert all(m.slot in windows[m.pair] for m in found if m.pair in windows), "outside its window"
    per_person = breaks_per_person(person_slots([(m.pair, m.slot) for m in found + list(problem.locked)]), problem.day_ranges())
    assert all(per_person.get(who, 0) <= own.get(who, 0) for who in per_person), per_person


def search(problem: Problem, own: dict[str, int], seconds: float = 5.0, race: Race | None = None) -> AtMinimum:
    return at_own_minimum(TimeIndexed(problem, openings_of(problem)), own, None, time.perf_counter() + seconds, 1, race)


def triangle(slots: int) -> Problem:
    """a-b, b-c, c-a, every slot open, one day."""
    every = frozenset(range(slots))
    return Problem([f"s{t}" for t in range(slots)], 3, {w: every for w in "abc"},
                   [Candidate("a", "b", 1.0, required=True), Candidate("b", "c", 1.0, required=True), Candidate("a", "c", 1.0, required=True)],
                   default_max_meetings=slots, days=[(0, slots - 1)])


def test_three_people_meeting_each_other_cannot_all_be_without_a_break():
    """Each alone fits two consecutive slots, but the three meetings take three slots and
    whoever has the first and the last has a hole."""
    problem = triangle(6)
    assert search(problem, {}) == AtMinimum(None, True)
    found = search(problem, {"a": 1})  # one break allowed to a: a-b, b-c, c-a in a row leave a its hole
    assert_at_own_minimum(problem, found.meetings, {"a": 1})


def test_a_schedule_found_breaks_no_rule_and_places_every_pair():
    for seed in range(6):
        problem = small_forum(seed)
        outcome = search(problem, {who: 1 for c in problem.candidates for who in c.pair})
        if outcome.meetings is not None:
            assert_at_own_minimum(problem, outcome.meetings, {who: 1 for c in problem.candidates for who in c.pair})


def test_more_slots_filled_than_tables_allow_is_refuted():
    """a meets b, c and d in slots 0-3 with one table: a's run of three (0-2 or 1-3) always
    holds slot 1, the only slot of e and f, who must meet too. Alone, a needs no break;
    with the others, a has one (a-b 0, e-f 1, a-c 2, a-d 3)."""
    every = frozenset(range(4))
    problem = Problem([f"s{t}" for t in range(4)], 1, {"a": every, "b": every, "c": every, "d": every, "e": frozenset({1}), "f": frozenset({1})},
                      [Candidate("a", w, 1.0, required=True) for w in "bcd"] + [Candidate("e", "f", 1.0, required=True)],
                      default_max_meetings=4, days=[(0, 3)])
    assert search(problem, {}) == AtMinimum(None, True)
    found = search(problem, {"a": 1})
    assert_at_own_minimum(problem, found.meetings, {"a": 1})


def test_a_participant_over_two_days_keeps_each_day_whole():
    """Slots 0-2 and 3-5 are two days; p meets q0..q3, q0 and q1 only on day one, q2 and q3
    only on day two: p's meetings make one run per day, no break."""
    problem = Problem([f"s{t}" for t in range(6)], 2,
                      {"p": frozenset(range(6)), "q0": frozenset({0, 1, 2}), "q1": frozenset({0, 2}), "q2": frozenset({3, 5}), "q3": frozenset({3, 4, 5})},
                      [Candidate("p", f"q{i}", 1.0, required=True) for i in range(4)], default_max_meetings=6, days=[(0, 2), (3, 5)])
    found = search(problem, {})
    assert found.meetings is not None
    assert_at_own_minimum(problem, found.meetings, {})


def test_the_race_can_stop_the_search_while_it_runs(monkeypatch):
    """The solver is registered with the race while it solves (``Race.running``)."""
    problem = small_forum(0)
    race = Race()
    seen = []

    def solve_(solver, model, *args):
        seen.append(solver in race._solvers)
        return cp_model.UNKNOWN

    monkeypatch.setattr(cp_model.CpSolver, "Solve", solve_)
    assert search(problem, {}, race=race) == AtMinimum(None, False)
    assert seen == [True] and not race._solvers


def test_a_refuted_search_raises_the_proven_bound_by_one(monkeypatch):
    """The triangle needs one break, though nobody needs one alone (own bound 0): the forum
    path proves its single break optimal through the refutation alone (the block model,
    which could prove it too, is kept out)."""
    monkeypatch.setattr("services.matching.domain.time_indexed.fewest_broken_days", lambda model, best, until, workers, race: None)
    solution = solve(triangle(6), time_limit=4.0)
    assert (solution.breaks, solution.breaks_bound, solution.status) == (1, 1, "optimal")
