"""The one iCalendar generator (shared/calendars.py), read back with the icalendar library:
times in UTC from the file's own VTIMEZONE in any zone, text escaped, lines folded."""
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from shared.calendars import CalendarMeeting, calendar_method, meetings_calendar

STAMP = datetime(2027, 7, 1, 9, 30, tzinfo=timezone.utc)
KASHMIRI = "غلام نبی ڈار، کانی شال ساز، سرینگر"


def meeting(**changes) -> CalendarMeeting:
    fields = {"uid": "m1:s1:b1", "day": "2027-07-30", "start": "10:20", "end": "10:40", "zone": "Asia/Dubai",
              "counterpart": "Keller Living", "table": 3, **changes}
    return CalendarMeeting(**fields)


def read(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def utc_by_own_vtimezone(calendar: Calendar, when: datetime) -> datetime:
    """``when``'s wall-clock time read through the file's VTIMEZONE alone, never by looking
    the TZID up in this machine's database (what a client without the zone does)."""
    [vtimezone] = [tz for tz in calendar.timezones if tz.tz_name == when.tzinfo.key]
    return when.replace(tzinfo=vtimezone.to_tz(lookup_tzid=False)).astimezone(timezone.utc)


@pytest.mark.parametrize("zone, day, utc", [
    ("Asia/Dubai", "2027-07-30", datetime(2027, 7, 30, 6, 20, tzinfo=timezone.utc)),
    ("Europe/London", "2027-07-30", datetime(2027, 7, 30, 9, 20, tzinfo=timezone.utc)),
    ("Europe/London", "2027-12-03", datetime(2027, 12, 3, 10, 20, tzinfo=timezone.utc)),
    ("America/New_York", "2027-11-08", datetime(2027, 11, 8, 15, 20, tzinfo=timezone.utc)),
    ("Asia/Kolkata", "2027-07-30", datetime(2027, 7, 30, 4, 50, tzinfo=timezone.utc)),
])
def test_each_zone_gets_its_vtimezone_from_the_database_and_times_read_back_in_utc(zone, day, utc):
    calendar = read(meetings_calendar([meeting(zone=zone, day=day)], "Test", STAMP))
    assert [tz.tz_name for tz in calendar.timezones] == [zone]
    [event] = calendar.events
    assert event.start.astimezone(timezone.utc) == utc
    assert utc_by_own_vtimezone(calendar, event.start) == utc
    assert event.end - event.start == timedelta(minutes=20)
    assert event.DTSTAMP == STAMP


def test_meetings_in_two_zones_get_one_vtimezone_each():
    calendar = read(meetings_calendar([meeting(zone="Asia/Dubai"), meeting(uid="m2", zone="Asia/Kolkata"), meeting(uid="m3")], "Test", STAMP))
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["Asia/Dubai", "Asia/Kolkata"]
    assert not calendar.get_missing_tzids()


def test_commas_semicolons_backslashes_and_line_breaks_in_names_are_escaped_and_read_back_exactly():
    name = "Keller Living, GmbH; Berlin\\Hamburg\nsecond line"
    data = meetings_calendar([meeting(counterpart=name, interpreter="Rafiq, Bhat; senior", location="SKICC, Srinagar",
                                      description="GI-tagged; which you asked for")], "Test", STAMP, name="Srinagar BSM, 2027; July")
    text = data.decode()
    assert "Keller Living\\, GmbH\\; Berlin\\\\Hamburg\\nsecond line" in text.replace("\r\n ", "")
    calendar = read(data)
    [event] = calendar.events
    assert event["SUMMARY"] == f"Meeting with {name} (table 3, interpreter Rafiq, Bhat; senior)"
    assert (event["LOCATION"], event["DESCRIPTION"]) == ("SKICC, Srinagar", "GI-tagged; which you asked for")
    assert calendar.calendar_name == "Srinagar BSM, 2027; July"


def test_long_lines_fold_at_75_octets_without_splitting_a_character_and_unfold_exactly():
    data = meetings_calendar([meeting(counterpart=KASHMIRI * 4, description="ق" * 200)], "Test", STAMP)
    lines = data.split(b"\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert max(len(line) for line in lines) <= 75 and any(line.startswith(b" ") for line in lines)
    for line in lines:
        line.decode("utf-8")  # a fold never cuts a UTF-8 sequence
    [event] = read(data).events
    assert event["SUMMARY"] == f"Meeting with {KASHMIRI * 4} (table 3)" and event["DESCRIPTION"] == "ق" * 200


def test_the_same_meetings_give_the_same_bytes_and_a_cancelled_one_says_so():
    meetings = [meeting(sequence=3, cancelled=True), meeting(uid="m2", start="11:00", end="11:20")]
    data = meetings_calendar(meetings, "Test", STAMP)
    assert data == meetings_calendar(meetings, "Test", STAMP)
    first, second = read(data).events
    assert (first["STATUS"], first["SEQUENCE"], first["UID"]) == ("CANCELLED", 3, "m1:s1:b1@bsm")
    assert (second["STATUS"], second["SEQUENCE"]) == ("CONFIRMED", 0)


def test_the_method_is_read_back_for_the_mail_attachment():
    assert calendar_method(meetings_calendar([meeting()], "Test", STAMP)) == "PUBLISH"
    assert calendar_method(meetings_calendar([meeting()], "Test", STAMP, method="REQUEST").decode()) == "REQUEST"
    with pytest.raises(ValueError):
        calendar_method("not a calendar")
