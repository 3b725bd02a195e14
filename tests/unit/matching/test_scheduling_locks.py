"""Locked meetings: every valid set is kept exactly, every invalid set is refused with the reason."""
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.domain.scheduling import Candidate, Infeasible, Meeting, Problem, build_schedule
from tests.unit.matching.test_scheduling import assert_hard_rules, problems


@st.composite
def problems_with_locks(draw):
    problem = draw(problems())
    sellers = sorted({c.seller_id for c in problem.candidates} | {p for p in problem.availability if p.startswith("s")})
    buyers = sorted(p for p in problem.availability if p.startswith("b"))
    pool = sorted(problem.interpreter_availability)
    wild = draw(st.booleans())  # tame: in range, distinct pairs, available there (mostly valid)
    extra = 1 if wild else 0  # one past the last slot or table: outside the meet
    locks = draw(st.lists(st.builds(
        Meeting,
        st.sampled_from(sellers), st.sampled_from(buyers),
        st.integers(0, len(problem.slots) - 1 + extra),
        st.integers(0, problem.tables + extra),  # 0: any table
        st.just(0.0), st.just("locked"), st.just(True),
        st.one_of(st.none(), st.sampled_from(pool)) if pool else st.none(),
    ), min_size=1, max_size=4, unique_by=None if wild else (lambda m: m.pair)))
    if not wild or draw(st.booleans()):
        availability = dict(problem.availability)
        for lock in locks:
            for who in lock.pair:
                availability[who] = availability[who] | {lock.slot}
        interpreters = dict(problem.interpreter_availability)
        for lock in locks:
            if lock.interpreter:
                interpreters[lock.interpreter] = interpreters[lock.interpreter] | {lock.slot}
        problem = replace(problem, availability=availability, interpreter_availability=interpreters)
    return replace(problem, locked=locks)


def lock_problems(problem: Problem) -> list[str]:
    """Every hard rule the locks break, worked out independently of the scheduler."""
    broken = []
    locks = problem.locked
    if any(not 0 <= m.slot < len(problem.slots) for m in locks):
        return ["outside the slots"]
    if len({m.pair for m in locks}) < len(locks):
        broken.append("a pair locked twice")
    if any(m.table and not 1 <= m.table <= problem.tables for m in locks):
        broken.append("outside the tables")
    if any(m.slot not in problem.availability[w] for m in locks for w in m.pair):
        broken.append("unavailable")
    if max(Counter((w, m.slot) for m in locks for w in m.pair).values(), default=0) > 1:
        broken.append("someone twice in a slot")
    if max(Counter((m.slot, m.table) for m in locks if m.table).values(), default=0) > 1:
        broken.append("a table twice in a slot")
    if max(Counter(m.slot for m in locks).values(), default=0) > problem.tables:
        broken.append("more meetings than tables")
    if any(m.interpreter and m.slot not in problem.interpreter_availability[m.interpreter] for m in locks):
        broken.append("interpreter off duty")
    if max(Counter((m.interpreter, m.slot) for m in locks if m.interpreter).values(), default=0) > 1:
        broken.append("interpreter twice in a slot")
    if any(n > problem.cap(w) for w, n in Counter(w for m in locks for w in m.pair).items()):
        broken.append("over the maximum")
    return broken


@given(problems_with_locks())
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
def test_valid_locks_are_kept_where_they_are_and_invalid_ones_refused(problem):
    broken = lock_problems(problem)
    if broken:
        with pytest.raises(Infeasible):
            build_schedule(problem)
        return
    schedule = build_schedule(problem)
    placed = {m.pair: m for m in schedule.meetings}
    for lock in problem.locked:
        kept = placed[lock.pair]
        assert kept.slot == lock.slot and kept.locked and kept.interpreter == lock.interpreter
        if lock.table:
            assert kept.table == lock.table
    locked_pairs = {m.pair for m in problem.locked}
    # A lock may name a pair whose candidate needs an interpreter, or a pair one side declined:
    # organisers decide that; everything else must hold for the locked and the free meetings.
    as_locked = [Candidate(m.seller_id, m.buyer_id, 0.0, interpreters=frozenset({m.interpreter}) if m.interpreter else None) for m in problem.locked]
    locks_as_given = replace(problem, candidates=[c for c in problem.candidates if c.pair not in locked_pairs] + as_locked, excluded=problem.excluded - locked_pairs)
    assert_hard_rules(locks_as_given, schedule.meetings)


def lock(seller, buyer, slot, table=0, interpreter=None):
    return Meeting(seller, buyer, slot, table, 0.0, "locked", locked=True, interpreter=interpreter)


EVERYONE = {p: frozenset({0, 1}) for p in ("s1", "s2", "b1", "b2")}


@pytest.mark.parametrize("problem, reason", [
    (Problem(["a", "b"], 2, EVERYONE, [], locked=[lock("s1", "b1", 0, 1), lock("s2", "b2", 0, 1)]), "table 1 in slot a holds two locked meetings"),
    (Problem(["a", "b"], 3, EVERYONE, [], locked=[lock("s1", "b1", 0, 4)]), "table 4, and the meet has tables 1 to 3"),
    (Problem(["a", "b"], 2, EVERYONE, [], {"b1": 1}, locked=[lock("s1", "b1", 0), lock("s2", "b1", 1)]), "b1 is locked into 2 meetings, more than their maximum of 1"),
    (Problem(["a", "b"], 2, EVERYONE, [], locked=[lock("s1", "b1", 0), lock("s1", "b1", 1)]), "s1/b1 is locked twice"),
    (Problem(["a", "b"], 2, EVERYONE, [], locked=[lock("s1", "b1", 0), lock("s2", "b1", 0)]), "b1 is locked into two meetings in slot a"),
    (Problem(["a", "b"], 1, EVERYONE, [], locked=[lock("s1", "b1", 0), lock("s2", "b2", 0)]), "slot a has more locked meetings than the meet's 1 tables"),
    (Problem(["a", "b"], 2, {**EVERYONE, "b1": frozenset({1})}, [], locked=[lock("s1", "b1", 0)]), "b1 is not available in slot a"),
    (Problem(["a", "b"], 2, EVERYONE, [], locked=[lock("s1", "b1", 2)]), "s1/b1 is in no slot"),
    (Problem(["a", "b"], 2, EVERYONE, [], locked=[lock("s1", "b1", 0, interpreter="i1")], interpreter_availability={"i1": frozenset({1})}), "interpreter i1 does not work in slot a"),
])
def test_each_broken_rule_is_refused_with_its_reason(problem, reason):
    with pytest.raises(Infeasible, match=reason):
        build_schedule(problem)
