"""Breaks (maximal runs of empty slots between two meetings of one participant within a
day) and idle slots, counted per day."""
import pytest

from services.matching.domain.breaks import breaks_per_person, day_breaks, day_idle, idle_per_person, person_slots


@pytest.mark.parametrize("busy, breaks, idle", [
    (set(), 0, 0),
    ({3}, 0, 0),
    ({0, 1, 2}, 0, 0),
    ({0, 2}, 1, 1),
    ({0, 3}, 1, 2),
    ({0, 3, 4, 7}, 2, 4),
    ({1, 3, 5, 7}, 3, 3),
])
def test_a_break_is_a_run_of_empty_slots_between_two_meetings(busy, breaks, idle):
    assert day_breaks(busy, 0, 9) == breaks
    assert day_idle(busy, 0, 9) == idle


def test_empty_slots_before_the_first_and_after_the_last_meeting_are_no_break():
    assert day_breaks({4, 5}, 0, 9) == 0 and day_idle({4, 5}, 0, 9) == 0


def test_the_night_between_two_days_is_no_break():
    days = [(0, 4), (5, 9)]
    slots = person_slots([(("s1", "b1"), 4), (("s1", "b2"), 5), (("s2", "b1"), 0)])
    assert breaks_per_person(slots, days) == {"s1": 0, "b1": 1, "b2": 0, "s2": 0}
    assert idle_per_person(slots, days) == {"s1": 0, "b1": 3, "b2": 0, "s2": 0}


def test_breaks_add_up_over_days():
    days = [(0, 3), (4, 7)]
    assert breaks_per_person({"p": {0, 2, 4, 7}}, days) == {"p": 2}
    assert idle_per_person({"p": {0, 2, 4, 7}}, days) == {"p": 3}
