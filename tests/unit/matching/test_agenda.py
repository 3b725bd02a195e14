from datetime import datetime, timezone

from icalendar import Calendar

from services.matching.domain.agenda import ical

MEET = {"name": "Srinagar BSM", "venue": "SKICC", "city": "Srinagar", "timezone": "Asia/Kolkata"}
MEETING = {
    "_id": "m1:s1:b1", "seller_id": "s1", "buyer_id": "b1", "buyer_name": "Keller Living, GmbH; Berlin", "seller_name": "Dar Crafts",
    "day": "2027-07-30", "start": "10:20", "end": "10:40", "table": 3, "status": "scheduled", "version": 2,
    "reasons": ["makes GI-tagged Kashmir Pashmina, which you asked for"] * 3,
}


def test_the_feed_is_valid_icalendar_with_escaped_text_and_folded_lines():
    text = ical([MEETING], "s1", MEET, datetime(2027, 7, 1, tzinfo=timezone.utc))
    lines = text.split("\r\n")
    assert "DTSTART;TZID=Asia/Kolkata:20270730T102000" in lines and "DTEND;TZID=Asia/Kolkata:20270730T104000" in lines
    assert "SEQUENCE:2" in lines and "UID:m1:s1:b1@bsm" in lines and "DTSTAMP:20270701T000000Z" in lines
    assert any(line.startswith("SUMMARY:Meeting with Keller Living\\, GmbH\\; Berlin (table 3)") for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:makes GI-tagged Kashmir Pashmina\\, which you asked for\\; makes" in unfolded


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled():
    text = ical([{**MEETING, "status": "cancelled", "version": 3}], "b1", MEET)
    assert "STATUS:CANCELLED" in text and "SEQUENCE:3" in text and "Meeting with Dar Crafts" in text


def test_a_meet_in_dubai_carries_its_vtimezone_and_each_meeting_names_its_interpreter():
    meetings = [{**MEETING, "interpreter": "int-1"}, {**MEETING, "_id": "m1:s2:b1", "seller_id": "s2", "seller_name": "Bhat Looms", "interpreter": "int-9"}]
    text = ical(meetings, "b1", {**MEET, "timezone": "Asia/Dubai"}, interpreters={"int-1": "Rafiq Bhat"})
    calendar = Calendar.from_ical(text)
    [vtimezone] = calendar.timezones
    assert vtimezone.tz_name == "Asia/Dubai" and "Asia/Kolkata" not in text
    first, second = calendar.events
    assert first.start.astimezone(timezone.utc) == datetime(2027, 7, 30, 6, 20, tzinfo=timezone.utc)
    assert first.start.replace(tzinfo=vtimezone.to_tz(lookup_tzid=False)).astimezone(timezone.utc).hour == 6
    assert first["SUMMARY"] == "Meeting with Dar Crafts (table 3, interpreter Rafiq Bhat)"
    assert second["SUMMARY"] == "Meeting with Bhat Looms (table 3, interpreter int-9)"
    assert first["LOCATION"] == "SKICC, Srinagar"


def test_each_meeting_is_in_the_zone_it_is_stored_with_and_a_meeting_without_one_in_the_meets():
    """The meet's zone was corrected to Dubai after the first meeting took place in Kolkata
    time: that one keeps its instant (before, the feed moved it by an hour and a half)."""
    held = {**MEETING, "timezone": "Asia/Kolkata", "status": "held"}
    to_come = {**MEETING, "_id": "m1:s2:b1", "seller_id": "s2", "timezone": "Asia/Dubai"}
    unzoned = {**MEETING, "_id": "m1:s3:b1", "seller_id": "s3"}
    calendar = Calendar.from_ical(ical([held, to_come, unzoned], "b1", {**MEET, "timezone": "Asia/Dubai"}))
    starts = {str(event["UID"]): event.start.astimezone(timezone.utc) for event in calendar.events}
    assert starts == {"m1:s1:b1@bsm": datetime(2027, 7, 30, 4, 50, tzinfo=timezone.utc),
                      "m1:s2:b1@bsm": datetime(2027, 7, 30, 6, 20, tzinfo=timezone.utc),
                      "m1:s3:b1@bsm": datetime(2027, 7, 30, 6, 20, tzinfo=timezone.utc)}
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["Asia/Dubai", "Asia/Kolkata"]
