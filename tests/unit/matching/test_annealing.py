"""The annealing of the breaks phase moves meetings between slots without breaking a hard
rule (with locks, windows, days, tables and interpreters generated), keeps every pair and
interpreter, never returns more breaks than it was given, closes holes a plain move or a
Kempe-chain swap closes, and shares what it finds through a race."""
import random
import threading
import time

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from services.matching.domain.annealing import _State, anneal
from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.openings import openings_of
from services.matching.domain.race import Race
from services.matching.domain.scheduling import Candidate, Meeting, Problem, assign_tables, build_schedule
from tests.unit.matching.test_scheduling import assert_hard_rules
from tests.unit.matching.test_solver import rich_problems


def breaks_of(problem: Problem, meetings: list[Meeting]) -> int:
    slots = person_slots((m.pair, m.slot) for m in list(problem.locked) + meetings)
    return sum(breaks_per_person(slots, problem.day_ranges()).values())


@given(rich_problems())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_annealing_keeps_every_rule_every_pair_and_never_adds_a_break(problem):
    start = [m for m in build_schedule(problem).meetings if not m.locked]
    moved = anneal(problem, openings_of(problem), start, time.perf_counter() + 0.05)
    assert sorted((m.pair, m.interpreter, m.value) for m in moved) == sorted((m.pair, m.interpreter, m.value) for m in start)
    meetings = assign_tables(problem, list(problem.locked) + moved)
    assert_hard_rules(problem, meetings)
    windows = {c.pair: c.slots for c in problem.candidates if c.slots is not None}
    assert all(m.slot in windows[m.pair] for m in moved if m.pair in windows), "outside its window"
    placed = {m.pair: m.slot for m in meetings}
    assert all(placed[lock.pair] == lock.slot for lock in problem.locked)
    assert breaks_of(problem, moved) <= breaks_of(problem, start)


def chain_problem(tables: int = 4) -> tuple[Problem, list[Meeting]]:
    """a-b, b-c, c-d required in a day of 5 slots, placed at 0, 2 and 4: b and c each have
    a hole, and d's meeting can only move where c meets (a Kempe chain)."""
    every = frozenset(range(5))
    problem = Problem([f"s{t}" for t in range(5)], tables, {w: every for w in "abcd"},
                      [Candidate("a", "b", 1.0, required=True), Candidate("b", "c", 1.0, required=True), Candidate("c", "d", 1.0, required=True)],
                      default_max_meetings=5, days=[(0, 4)])
    return problem, [Meeting("a", "b", 0, 0), Meeting("b", "c", 2, 0), Meeting("c", "d", 4, 0)]


def test_annealing_closes_the_holes_of_a_chain():
    problem, holes = chain_problem()
    assert breaks_of(problem, holes) == 2
    moved = anneal(problem, openings_of(problem), holes, time.perf_counter() + 1.0)
    assert breaks_of(problem, moved) == 0
    assert_hard_rules(problem, assign_tables(problem, moved))


def test_a_hole_move_takes_a_meeting_at_an_end_of_a_day_with_a_hole_into_the_hole():
    """In the chain a-b 0, b-c 2, c-d 4, b (0, 2) and c (2, 4) have a hole; a and d do
    not. Every hole move drawn moves b's or c's first or last meeting into their hole; a
    person drawn without a hole gives none."""
    problem, holes = chain_problem()
    state = _State(problem, openings_of(problem), holes)
    rng, seen = random.Random(3), set()
    for _ in range(400):
        move = state.hole_move(rng)
        if move is not None:
            k, first, second = move
            seen.add((holes[k].pair, first, second))
    assert seen == {(("a", "b"), 0, 1), (("b", "c"), 2, 1), (("b", "c"), 2, 3), (("c", "d"), 4, 3)}
    whole = _State(problem, openings_of(problem), [Meeting("a", "b", 0, 0), Meeting("b", "c", 1, 0), Meeting("c", "d", 2, 0)])
    assert all(whole.hole_move(rng) is None for _ in range(100))


def test_the_breaks_of_someone_with_locked_meetings_only_are_counted():
    """q meets r at 0 and s at 2, both locked (one break nobody can close), and has no
    other meeting: the annealing's count holds q's break, as the race's bound does (it
    counted 0, so a schedule with 2 breaks could stop the race as optimal at 1)."""
    every = frozenset(range(6))
    problem = Problem([f"s{t}" for t in range(6)], 3, {w: every for w in "abcdqrs"},
                      [Candidate("a", "b", 1.0, required=True), Candidate("b", "c", 1.0, required=True)],
                      locked=[Meeting("q", "r", 0, 1, locked=True), Meeting("q", "s", 2, 1, locked=True)], default_max_meetings=6, days=[(0, 5)])
    start = [Meeting("a", "b", 3, 0), Meeting("b", "c", 5, 0)]
    assert _State(problem, openings_of(problem), start).breaks == breaks_of(problem, start) == 2
    moved = anneal(problem, openings_of(problem), start, time.perf_counter() + 0.5)
    assert breaks_of(problem, moved) == 1


def test_annealing_closes_holes_with_one_table_by_swapping_whole_slots():
    """With one table no meeting can join another's slot: only swaps of a slot's contents
    (Kempe chains) move anything, and they close both holes (e.g. slots 1, 2, 3)."""
    problem, holes = chain_problem(tables=1)
    moved = anneal(problem, openings_of(problem), holes, time.perf_counter() + 1.0)
    assert breaks_of(problem, moved) == 0
    assert_hard_rules(problem, assign_tables(problem, moved))


def test_annealing_works_around_a_locked_meeting_and_an_interpreter():
    """b's meetings: one locked at slot 2, one with an interpreter on duty only in slots 1
    and 3 at slot 0 (a hole at 1). Moving it to 1 or 3 closes the hole; the lock stays."""
    every = frozenset(range(5))
    problem = Problem([f"s{t}" for t in range(5)], 3, {w: every for w in "abc"},
                      [Candidate("a", "b", 1.0, interpreters=frozenset({"i"}), required=True), Candidate("b", "c", 1.0, required=True)],
                      locked=[Meeting("b", "c", 2, 1, locked=True)], default_max_meetings=5, days=[(0, 4)],
                      interpreter_availability={"i": frozenset({0, 1, 3})})
    start = [Meeting("a", "b", 0, 0, interpreter="i")]
    assert breaks_of(problem, start) == 1
    moved = anneal(problem, openings_of(problem), start, time.perf_counter() + 1.0)
    assert [(m.pair, m.slot in {1, 3}, m.interpreter) for m in moved] == [(("a", "b"), True, "i")]
    assert breaks_of(problem, moved) == 0


def test_annealing_offers_what_it_finds_to_the_race_and_stops_at_its_bound():
    problem, holes = chain_problem()
    race = Race()
    race.offer(holes, 2)
    race.prove(1)
    moved = anneal(problem, openings_of(problem), holes, time.perf_counter() + 5.0, race)
    assert breaks_of(problem, moved) <= 1
    assert race.breaks == breaks_of(problem, race.best) <= 1
    assert race.stop.is_set()


def test_a_race_keeps_the_fewest_breaks_and_stops_once_they_meet_the_bound():
    race = Race()
    first, second = [Meeting("a", "b", 0, 0)], [Meeting("a", "b", 1, 0)]
    race.offer(first, 3)
    race.offer(second, 4)
    assert (race.best, race.breaks, race.stop.is_set()) == (first, 3, False)
    race.prove(2)
    race.prove(1)
    assert race.bound == 2 and not race.stop.is_set()
    race.offer(second, 2)
    assert (race.best, race.stop.is_set()) == (second, True)


def test_a_chain_is_not_swapped_when_one_of_its_meetings_may_not_take_the_other_slot():
    """a meets b at 0 and c at 2 (window: slot 2 only); b and c each meet someone at 1
    (window: slot 1 only). Every move closing a's hole swaps a chain holding a meeting kept
    to its window, so none is made and a's break stays."""
    every = frozenset(range(3))
    problem = Problem([f"s{t}" for t in range(3)], 5, {w: every for w in "abcde"},
                      [Candidate("a", "b", 1.0, required=True), Candidate("a", "c", 1.0, required=True, slots=frozenset({2})),
                       Candidate("b", "d", 1.0, required=True, slots=frozenset({1})), Candidate("c", "e", 1.0, required=True, slots=frozenset({1}))],
                      default_max_meetings=3, days=[(0, 2)])
    start = [Meeting("a", "b", 0, 0), Meeting("a", "c", 2, 0), Meeting("b", "d", 1, 0), Meeting("c", "e", 1, 0)]
    moved = anneal(problem, openings_of(problem), start, time.perf_counter() + 0.5)
    assert sorted((m.pair, m.slot) for m in moved) == sorted((m.pair, m.slot) for m in start)
    assert breaks_of(problem, moved) == 1


def test_a_race_halted_stops_a_cp_sat_search_under_way():
    """The search thread's CP-SAT solve is stopped by ``halt`` (as when the annealing
    fails): it ends long before its time limit, with the race's stop flag set."""
    model = cp_model.CpModel()
    xs = [model.NewIntVar(0, 200, f"x{i}") for i in range(40)]
    model.AddAllDifferent(xs)
    model.Maximize(sum((i % 7 + 1) * x for i, x in enumerate(xs)) - sum(abs_diff(model, a, b) for a, b in zip(xs, xs[1:])))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60.0
    solver.parameters.num_workers = 1
    race, outcome = Race(), {}

    def search():
        with race.running(solver):
            outcome["status"] = solver.Solve(model)

    thread = threading.Thread(target=search)
    thread.start()
    while not race._solvers:
        time.sleep(0.01)
    time.sleep(0.2)
    race.halt()
    thread.join(timeout=30)
    assert not thread.is_alive() and race.stop.is_set()
    assert outcome["status"] == cp_model.FEASIBLE


def abs_diff(model, a, b):
    d = model.NewIntVar(0, 200, "")
    model.AddAbsEquality(d, a - b)
    return d


def partly_available_event(seed: int = 3) -> Problem:
    """40 sellers x 8 buyers over two days of 8 slots, a table per buyer, each side free in
    a slot with probability 0.7, 12 candidate sellers per buyer."""
    rng = random.Random(seed)
    slots = [f"s{t}" for t in range(16)]
    people = [f"seller{i}" for i in range(40)] + [f"buyer{j}" for j in range(8)]
    availability = {p: frozenset(t for t in range(16) if rng.random() < 0.7) for p in people}
    candidates = [Candidate(s, f"buyer{j}", float(rng.randint(1, 9))) for j in range(8) for s in rng.sample(people[:40], 12)]
    return Problem(slots, 8, availability, candidates, default_max_meetings=8, days=[(0, 7), (8, 15)])


def test_a_decomposed_event_gets_fewer_breaks_with_the_same_meetings_once_annealed(monkeypatch):
    from services.matching.domain import solver

    problem = partly_available_event()
    annealed = solver.solve(problem, time_limit=4.0, model_limit=0)
    monkeypatch.setattr(solver, "DECOMPOSED_SHARE", 0.0)
    placed = solver.solve(problem, time_limit=4.0, model_limit=0)
    assert "annealed" in annealed.method and "annealed" not in placed.method
    assert sorted(m.pair for m in annealed.schedule.meetings) == sorted(m.pair for m in placed.schedule.meetings)
    assert annealed.schedule.value == placed.schedule.value
    assert annealed.breaks < placed.breaks
    assert_hard_rules(problem, annealed.schedule.meetings)
