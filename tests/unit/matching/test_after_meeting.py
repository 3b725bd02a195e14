"""What may be recorded about a meeting after it (``domain.after_meeting``): nothing before
its slot has begun on the venue's wall clock, and an LoI signed between the meeting's day
and today at the venue."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.matching.domain.after_meeting import ImpossibleDate, NotBegun, check_loi, check_signed_on, ensure_begun, starts_at, venue_today

MEETING = {"day": "2027-07-30", "start": "10:20", "timezone": "Asia/Kolkata"}
STARTS = datetime(2027, 7, 30, 4, 50, tzinfo=timezone.utc)  # 10:20 in Kolkata (UTC+05:30)


def test_a_meeting_starts_on_the_venue_s_wall_clock():
    assert starts_at(MEETING) == STARTS
    assert starts_at({**MEETING, "timezone": "Europe/London"}) == datetime(2027, 7, 30, 9, 20, tzinfo=timezone.utc)


def test_nothing_is_recorded_about_a_meeting_before_its_slot_begins():
    with pytest.raises(NotBegun, match="2027-07-30 at 10:20"):
        ensure_begun(MEETING, STARTS - timedelta(minutes=1))
    ensure_begun(MEETING, STARTS)
    ensure_begun(MEETING, STARTS + timedelta(days=400))


def test_the_same_instant_is_before_a_meeting_in_one_zone_and_after_it_in_another():
    now = datetime(2027, 7, 30, 6, 0, tzinfo=timezone.utc)
    ensure_begun(MEETING, now)
    with pytest.raises(NotBegun):
        ensure_begun({**MEETING, "timezone": "Europe/London"}, now)


@pytest.mark.parametrize("signed_on", [date(1900, 1, 1), date(2027, 7, 29)])
def test_an_loi_is_not_signed_before_the_day_of_its_meeting(signed_on):
    with pytest.raises(ImpossibleDate, match="before the meeting") as refused:
        check_signed_on(MEETING, signed_on, STARTS + timedelta(days=10))
    assert refused.value.field == "signed_on"


@pytest.mark.parametrize("signed_on", [date(2999, 12, 31), date(2027, 8, 10)])
def test_an_loi_is_not_signed_after_today_at_the_venue(signed_on):
    with pytest.raises(ImpossibleDate, match="after today") as refused:
        check_signed_on(MEETING, signed_on, datetime(2027, 8, 9, 12, 0, tzinfo=timezone.utc))
    assert refused.value.field == "signed_on"


def test_today_is_the_venue_s_date_not_utc_s():
    late_evening_utc = datetime(2027, 7, 30, 20, 0, tzinfo=timezone.utc)  # already 31 July in Kolkata
    assert venue_today(MEETING, late_evening_utc) == date(2027, 7, 31)
    check_signed_on(MEETING, date(2027, 7, 31), late_evening_utc)
    with pytest.raises(ImpossibleDate):
        check_signed_on({**MEETING, "timezone": "America/New_York"}, date(2027, 7, 31), late_evening_utc)


def test_an_loi_signed_on_the_day_or_recorded_long_after_is_taken():
    check_loi(MEETING, date(2027, 7, 30), STARTS + timedelta(minutes=5))
    check_loi(MEETING, date(2027, 8, 20), datetime(2028, 3, 1, tzinfo=timezone.utc))


def test_an_loi_of_a_meeting_to_come_is_refused_before_its_date_is_looked_at():
    with pytest.raises(NotBegun):
        check_loi(MEETING, date(2999, 12, 31), STARTS - timedelta(hours=1))
