"""The forum-like generator plants its instances: the schedule it planted keeps every rule
of the instance (so every instance is feasible, every meeting in its window) and its
breaks are counted right; the sizes stay in the published ranges."""
import pytest

from bench.forum import planted_forum
from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.scheduling import assign_tables
from tests.unit.matching.test_scheduling import assert_hard_rules


@pytest.mark.parametrize("seed", range(1, 13))
def test_a_planted_forum_is_feasible_and_its_planted_breaks_are_true(seed):
    made = planted_forum(seed)
    problem = made.problem
    planted = assign_tables(problem, made.planted)
    assert_hard_rules(problem, planted)
    assert {m.pair for m in planted} == {c.pair for c in problem.candidates}
    windows = {c.pair: c.slots for c in problem.candidates}
    assert all(windows[m.pair] is None or m.slot in windows[m.pair] for m in planted)
    assert made.planted_breaks == sum(breaks_per_person(person_slots((m.pair, m.slot) for m in planted), problem.day_ranges()).values())
    assert 40 <= len(problem.availability) <= 80 and 8 <= len(problem.slots) <= 22 and 14 <= problem.tables <= 27
    assert all(c.required for c in problem.candidates) and len(problem.candidates) <= 300
