"""Carrying an application's availability onto the slots of its edited meet (``domain/availability.py``)."""
from dataclasses import replace
from datetime import date, time

from services.registration.domain.availability import chose_all, remapped
from services.registration.domain.meets import Break, Meet

DAY_ONE, DAY_TWO = date(2027, 7, 30), date(2027, 7, 31)
MEET = Meet(name="BSM", venue="SKICC", city="Srinagar", days=[DAY_ONE, DAY_TWO], session_start=time(10), session_end=time(12),
            meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=10)


def ids(meet: Meet) -> list[str]:
    return [slot.id for slot in meet.slots()]


def test_who_chose_all_gets_every_new_slot():
    shorter = replace(MEET, meeting_minutes=20)
    result = remapped(ids(MEET), True, MEET, shorter)
    assert result.availability == sorted(ids(shorter)) and result.all_slots


def test_an_application_stored_before_the_choice_was_recorded_chose_all_when_it_had_every_slot():
    assert chose_all(ids(MEET), None, MEET)
    assert not chose_all(ids(MEET)[1:], None, MEET)
    assert not chose_all(ids(MEET), False, MEET)
    assert remapped(ids(MEET), None, MEET, replace(MEET, session_end=time(13))).availability == ids(replace(MEET, session_end=time(13)))


def test_chosen_slots_become_the_new_slots_lying_within_the_time_chosen():
    shorter = replace(MEET, meeting_minutes=20)
    morning = ["2027-07-30T1000", "2027-07-30T1030", "2027-07-30T1100"]  # 10:00-11:30
    result = remapped(morning, False, MEET, shorter)
    assert result.availability == ["2027-07-30T1000", "2027-07-30T1020", "2027-07-30T1040", "2027-07-30T1100"]
    assert not result.all_slots
    assert remapped(["2027-07-31T1130"], False, MEET, shorter).availability == ["2027-07-31T1140"]


def test_a_longer_meeting_needs_all_of_its_time_chosen():
    longer = replace(MEET, meeting_minutes=45)  # 10:00, 10:45 (11:30 would end after 12:00)
    assert remapped(["2027-07-30T1000"], False, MEET, longer).availability == []
    assert remapped(["2027-07-30T1000", "2027-07-30T1030"], False, MEET, longer).availability == ["2027-07-30T1000"]


def test_chosen_slots_are_joined_across_the_gap_between_meetings_but_not_across_a_break():
    spaced = replace(MEET, meeting_minutes=25, gap_minutes=5)  # 10:00-10:25, 10:30-10:55, ...
    unspaced = replace(MEET, meeting_minutes=20)
    assert remapped(["2027-07-30T1000", "2027-07-30T1030"], False, spaced, unspaced).availability == [
        "2027-07-30T1000", "2027-07-30T1020"]  # 10:20-10:40 spans the old gap; 10:40-11:00 ends after 10:55
    with_break = replace(MEET, breaks=[Break(time(10, 30), time(11))])  # 10:00, 11:00, 11:30
    assert remapped(["2027-07-30T1000", "2027-07-30T1100"], False, with_break, unspaced).availability == ["2027-07-30T1000", "2027-07-30T1100"]


def test_a_day_taken_away_takes_its_slots_and_a_new_day_is_only_for_who_chose_all():
    one_day = replace(MEET, days=[DAY_TWO])
    assert remapped(["2027-07-30T1000", "2027-07-31T1000"], False, MEET, one_day).availability == ["2027-07-31T1000"]
    assert remapped(["2027-07-30T1000"], False, MEET, one_day).availability == []
    three_days = replace(MEET, days=[DAY_ONE, DAY_TWO, date(2027, 8, 1)])
    assert remapped(["2027-07-30T1000"], False, MEET, three_days).availability == ["2027-07-30T1000"]
    assert len(remapped(ids(MEET), True, MEET, three_days).availability) == 12


def test_session_hours_moved_keep_only_the_time_chosen():
    later = replace(MEET, session_start=time(10, 15))  # 10:15, 10:45, 11:15
    assert remapped(["2027-07-30T1000", "2027-07-30T1030"], False, MEET, later).availability == ["2027-07-30T1015"]
    assert remapped(["2027-07-30T1000"], False, MEET, later).availability == []


def test_the_same_slots_leave_the_availability_as_it_was():
    moved_zone = replace(MEET, timezone="Asia/Dubai")
    chosen = ["2027-07-30T1030", "2027-07-31T1100"]
    assert remapped(chosen, False, MEET, moved_zone).availability == chosen
