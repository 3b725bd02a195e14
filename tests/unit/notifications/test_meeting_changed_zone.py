"""A meeting whose meet's time zone was corrected keeps its wall-clock times but is another
instant: its change message says the times with the zone (``IST``), the email names the
zone, the SMS stays one segment in every language, and the calendar file of the change
replaces the schedule's copy of the event at the new instant.

Before, the change message had no zone (a message saying a meeting "is now" at the time it
already had) and carried no calendar file."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from services.notifications.catalogues import LOCALES
from services.notifications.domain.sms import sms_segments
from services.notifications.rendering import Renderer
from services.notifications.schedule_file import changed_meeting_ics, schedule_ics
from shared.timezones import wall_clock, zone_abbreviation
from tests.unit.notifications.message_samples import SAMPLES

RENDERER = Renderer()
REZONED = {**SAMPLES["meeting_changed"], "zone": "IST", "timezone": "Asia/Kolkata"}
LONG_NAME = "Jammu and Kashmir Handloom Export Promotion Council Cooperative Society of Budgam"


@pytest.mark.parametrize("moment, shown", [
    (wall_clock("2030-07-30", "10:00", "Asia/Kolkata"), "IST"),
    (wall_clock("2030-07-30", "10:00", "UTC"), "UTC"),
    (wall_clock("2030-07-30", "10:00", "Europe/Berlin"), "CEST"),
    (wall_clock("2030-12-03", "10:00", "Europe/Berlin"), "CET"),
    (wall_clock("2030-07-30", "10:00", "Asia/Dubai"), "UTC+04"),
    (wall_clock("2030-07-30", "10:00", "Asia/Kathmandu"), "UTC+0545"),
])
def test_a_zone_is_shown_by_its_abbreviation_then_or_its_offset_from_utc(moment, shown):
    assert zone_abbreviation(moment) == shown


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_a_new_zone_is_said_with_the_times_and_named_in_every_language(language):
    email = RENDERER.render("meeting_changed", language, REZONED, "email").text
    assert "14:40" in email and "15:00 IST" in email and "Asia/Kolkata" in email
    assert email != RENDERER.render("meeting_changed", language, SAMPLES["meeting_changed"], "email").text
    for name in ("Reliance Retail", LONG_NAME):
        sms = RENDERER.render("meeting_changed", language, {**REZONED, "with": name, "zone": "UTC+0545"}, "sms").text
        assert sms_segments(sms).count == 1, (sms_segments(sms), sms)
        assert "14:40" in sms and "15:00 UTC+0545" in sms
        assert ("is now" in sms) == ("is now" in email) == (language == "en"), "in the language, not English"


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_a_change_recorded_without_a_zone_reads_as_before(language):
    text = RENDERER.render("meeting_changed", language, SAMPLES["meeting_changed"], "email").text
    assert "15:00," in text or "15:00،" in text
    assert "IST" not in text and "Asia/" not in text
    assert RENDERER.render("meeting_changed", language, SAMPLES["meeting_changed"], "sms").text == text


def test_the_change_s_calendar_file_replaces_the_schedule_s_event_at_the_new_instant():
    meeting = {"meeting_id": "meet-1:s1:b1", "day": "2030-07-30", "start": "10:00", "end": "10:30", "table": 2,
               "timezone": "Asia/Kolkata", "interpreter": None, "interpreter_name": None, "version": 2}
    changed_at = datetime(2030, 7, 1, 8, tzinfo=timezone.utc)
    data = changed_meeting_ics(meeting, "Brand 1", "Srinagar BSM", changed_at)
    assert data == changed_meeting_ics(meeting, "Brand 1", "Srinagar BSM", changed_at), "a redelivery gives the same file"
    [event] = Calendar.from_ical(data).walk("VEVENT")
    published = Calendar.from_ical(schedule_ics("s1", [{**meeting, "timezone": "UTC", "with": "Brand 1"}], "Srinagar BSM", changed_at))
    [first] = published.walk("VEVENT")
    assert str(event["uid"]) == str(first["uid"]) == "meet-1:s1:b1@bsm"
    assert int(event["sequence"]) == 2 > int(first["sequence"])
    assert event.decoded("dtstart") == datetime(2030, 7, 30, 10, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert event.decoded("dtstart").astimezone(timezone.utc) == datetime(2030, 7, 30, 4, 30, tzinfo=timezone.utc)
    assert "Brand 1" in str(event["summary"]) and "table 2" in str(event["summary"])
