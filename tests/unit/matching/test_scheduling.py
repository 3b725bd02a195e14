"""The scheduler's hard rules hold for any event hypothesis can think of."""
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.domain.scheduling import Candidate, Meeting, Problem, build_schedule, idle_gaps, repair, upper_bound


@st.composite
def problems(draw):
    n_slots = draw(st.integers(1, 8))
    tables = draw(st.integers(1, 5))
    sellers = [f"s{i}" for i in range(draw(st.integers(1, 9)))]
    buyers = [f"b{i}" for i in range(draw(st.integers(1, 5)))]
    everyone = sellers + buyers
    availability = {p: frozenset(draw(st.sets(st.integers(0, n_slots - 1), max_size=n_slots))) for p in everyone}
    pairs = draw(st.sets(st.tuples(st.sampled_from(sellers), st.sampled_from(buyers)), max_size=30))
    pool = [f"i{i}" for i in range(draw(st.integers(0, 3)))]
    interpreter_availability = {i: frozenset(draw(st.sets(st.integers(0, n_slots - 1), max_size=n_slots))) for i in pool}
    candidates = [
        Candidate(s, b, draw(st.integers(1, 1000)), draw(st.sampled_from(["request", "recommended"])),
                  draw(st.one_of(st.none(), st.frozensets(st.sampled_from(pool), max_size=len(pool)) if pool else st.just(frozenset()))))
        for s, b in sorted(pairs)
    ]
    excluded = frozenset(draw(st.sets(st.sampled_from(sorted(pairs)), max_size=3))) if pairs else frozenset()
    caps = {p: draw(st.integers(0, 4)) for p in everyone if draw(st.booleans())}
    return Problem([f"slot{i}" for i in range(n_slots)], tables, availability, candidates, caps, draw(st.integers(1, 6)),
                   excluded=excluded, interpreter_availability=interpreter_availability)


def assert_hard_rules(problem: Problem, meetings: list[Meeting]):
    per_slot_person = Counter((who, m.slot) for m in meetings for who in m.pair)
    assert max(per_slot_person.values(), default=0) <= 1, "someone is in two meetings at once"
    tables = Counter((m.slot, m.table) for m in meetings)
    assert max(tables.values(), default=0) <= 1, "a table is double-booked"
    assert all(1 <= m.table <= problem.tables for m in meetings)
    assert all(m.slot in problem.availability[w] for m in meetings for w in m.pair), "availability broken"
    counts = Counter(w for m in meetings for w in m.pair)
    assert all(counts[w] <= problem.cap(w) for w in counts), "too many meetings"
    pairs = [m.pair for m in meetings]
    assert len(pairs) == len(set(pairs)), "a pair meets twice"
    assert not set(pairs) & problem.excluded, "a no-thanks pair meets"
    needs = {c.pair: c.interpreters for c in problem.candidates}
    for m in meetings:
        if needs.get(m.pair) is None:
            assert m.interpreter is None
        else:
            assert m.interpreter in needs[m.pair], "a meeting without a suitable interpreter"
            assert m.slot in problem.interpreter_availability[m.interpreter], "an interpreter outside their hours"
    booked = Counter((m.interpreter, m.slot) for m in meetings if m.interpreter)
    assert max(booked.values(), default=0) <= 1, "an interpreter in two meetings at once"


@given(problems())
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_hard_rule_is_ever_broken_and_the_bound_holds(problem):
    schedule = build_schedule(problem)
    assert_hard_rules(problem, schedule.meetings)
    assert schedule.value <= schedule.upper_bound + 1e-6
    scheduled = {m.pair for m in schedule.meetings}
    assert all(c.pair not in scheduled for c in schedule.unscheduled)


@given(problems(), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_repair_keeps_every_remaining_meeting_where_it_was(problem, data):
    schedule = build_schedule(problem)
    everyone = sorted(problem.availability)
    absent = data.draw(st.sets(st.sampled_from(everyone), max_size=2))
    repaired, dropped, added = repair(schedule, problem, absent)
    assert_hard_rules(problem, repaired.meetings)
    before = {(m.pair, m.slot, m.table) for m in schedule.meetings if not absent & set(m.pair)}
    after = {(m.pair, m.slot, m.table) for m in repaired.meetings}
    assert before <= after, "a meeting that stays was moved"
    assert all(absent & set(m.pair) for m in dropped)
    assert not any(absent & set(m.pair) for m in repaired.meetings)
    assert after - before == {(m.pair, m.slot, m.table) for m in added}


def test_requested_pairs_win_the_last_place():
    problem = Problem(["10:00"], 1, {"s1": frozenset({0}), "s2": frozenset({0}), "b1": frozenset({0})},
                      [Candidate("s1", "b1", 80), Candidate("s2", "b1", 1080, "request")])
    [meeting] = build_schedule(problem).meetings
    assert meeting.pair == ("s2", "b1")


def test_locked_meetings_stay_and_others_fit_around_them():
    availability = {p: frozenset({0, 1}) for p in ("s1", "s2", "b1")}
    problem = Problem(["a", "b"], 1, availability, [Candidate("s2", "b1", 500)], locked=[Meeting("s1", "b1", 0, 1, 10)])
    schedule = build_schedule(problem)
    assert {(m.pair, m.slot) for m in schedule.meetings} == {(("s1", "b1"), 0), (("s2", "b1"), 1)}


def test_augmenting_moves_a_blocking_meeting_to_make_room():
    # s1-b1 (higher value) could go in slot 0 or 1; s2-b1 fits only slot 0.
    availability = {"s1": frozenset({0, 1}), "b1": frozenset({0, 1}), "s2": frozenset({0})}
    problem = Problem(["a", "b"], 2, availability, [Candidate("s1", "b1", 100), Candidate("s2", "b1", 90)])
    schedule = build_schedule(problem)
    assert len(schedule.meetings) == 2 and schedule.gap == 0


def test_days_are_kept_compact():
    availability = {p: frozenset(range(6)) for p in ("s1", "s2", "s3", "b1")}
    problem = Problem([str(i) for i in range(6)], 3, availability, [Candidate(f"s{i}", "b1", 100 - i) for i in (1, 2, 3)])
    gaps = idle_gaps(build_schedule(problem).meetings)
    assert gaps["b1"] == 0


def test_buyers_keep_their_table_all_day():
    availability = {p: frozenset(range(3)) for p in ("s1", "s2", "s3", "b1", "b2")}
    candidates = [Candidate(s, b, 50) for s in ("s1", "s2", "s3") for b in ("b1", "b2")]
    meetings = build_schedule(Problem(["1", "2", "3"], 2, availability, candidates)).meetings
    assert all(len({m.table for m in meetings if m.buyer_id == b}) == 1 for b in ("b1", "b2"))


def test_upper_bound_is_exact_when_everything_fits():
    availability = {p: frozenset({0, 1}) for p in ("s1", "s2", "b1")}
    problem = Problem(["a", "b"], 1, availability, [Candidate("s1", "b1", 10), Candidate("s2", "b1", 20)])
    schedule = build_schedule(problem)
    assert schedule.value == upper_bound(problem) == 30 and schedule.gap == 0


def test_a_pair_without_a_common_language_meets_only_with_a_free_interpreter():
    availability = {p: frozenset({0, 1}) for p in ("s1", "s2", "b1", "b2")}
    candidates = [Candidate("s1", "b1", 90, interpreters=frozenset({"urdu-english"})), Candidate("s2", "b2", 80, interpreters=frozenset({"urdu-english"}))]
    problem = Problem(["a", "b"], 5, availability, candidates, interpreter_availability={"urdu-english": frozenset({0, 1})})
    meetings = build_schedule(problem).meetings
    assert {m.interpreter for m in meetings} == {"urdu-english"} and len({m.slot for m in meetings}) == 2
    nobody = Problem(["a"], 5, availability, [Candidate("s1", "b1", 90, interpreters=frozenset())])
    assert build_schedule(nobody).meetings == []
