"""A published schedule as each person sees it, and the publication's list of meetings in
its event (producer strict, consumer lenient, older events without it still read)."""
from datetime import datetime, timezone

from icalendar import Calendar

from shared import contracts
from shared.contracts import matching
from shared.envelope import Event
from services.matching.messages import schedule_published
from services.notifications.domain.schedules import pairs_by_person, schedule_lines, sellers_of
from services.notifications.schedule_file import schedule_ics

STATS = {"meetings": 3, "value": 3.0, "upper_bound": 3.0, "at": datetime(2030, 6, 1, 9, tzinfo=timezone.utc)}


def test_each_person_gets_every_pair_they_are_in_once():
    sellers = [{"seller_id": "s1", "buyer_ids": ["b2", "b1"]}, {"seller_id": "s2", "buyer_ids": ["b1"]}]
    assert pairs_by_person(sellers) == {
        "b1": [("s1", "b1"), ("s2", "b1")], "b2": [("s1", "b2")], "s1": [("s1", "b1"), ("s1", "b2")], "s2": [("s2", "b1")],
    }


def test_the_publication_lists_each_meeting_of_the_schedule_by_seller_and_reads_back():
    meetings = [{"seller_id": "s2", "buyer_id": "b1"}, {"seller_id": "s1", "buyer_id": "b2"}, {"seller_id": "s1", "buyer_id": "b1"}]
    event = schedule_published("m1", STATS, meetings)
    data = contracts.read_data(event)
    assert data["sellers"] == [{"seller_id": "s1", "buyer_ids": ["b1", "b2"]}, {"seller_id": "s2", "buyer_ids": ["b1"]}]
    assert data["sellers"] == sellers_of(meetings)


def test_an_older_publication_without_its_meetings_still_reads():
    event = schedule_published("m1", STATS)
    older = Event(matching.SCHEDULE_PUBLISHED, "/bsm/matching", "m1", {k: v for k, v in event.data.items() if k != "sellers"})
    assert contracts.read_data(older)["sellers"] is None and contracts.read_data(event)["sellers"] is None


def test_lines_name_the_other_side_in_time_order_and_the_calendar_is_the_same_for_the_same_publication():
    meetings = [
        {"_id": "m:s1:b2", "seller_id": "s1", "buyer_id": "b2", "day": "2030-07-30", "start": "10:30", "end": "11:00", "table": 2, "timezone": "Asia/Kolkata"},
        {"_id": "m:s1:b1", "seller_id": "s1", "buyer_id": "b1", "day": "2030-07-30", "start": "10:00", "end": "10:30", "table": 1, "timezone": "Asia/Kolkata"},
    ]
    lines = schedule_lines(meetings, "s1", {"b1": "Brand 1", "b2": "Brand 2"})
    assert [(line["meeting_id"], line["with"]) for line in lines] == [("m:s1:b1", "Brand 1"), ("m:s1:b2", "Brand 2")]
    calendar = schedule_ics("s1", lines, "BSM", STATS["at"])
    assert calendar == schedule_ics("s1", lines, "BSM", STATS["at"]) and "DTSTAMP:20300601T090000Z" in calendar


def test_schedule_lines_carry_the_interpreters_name_from_the_meeting():
    meeting = {"_id": "m1:s1:b1", "seller_id": "s1", "buyer_id": "b1", "day": "2030-07-30", "start": "10:00", "end": "10:20", "table": 2,
               "interpreter": "int-1", "interpreter_name": "Rafiq Ahmad", "timezone": "Asia/Kolkata"}
    [line] = schedule_lines([meeting], "s1", {"b1": "Keller Living"})
    assert (line["interpreter"], line["interpreter_name"], line["with"]) == ("int-1", "Rafiq Ahmad", "Keller Living")


def test_the_calendar_file_has_the_meetings_zone_folded_lines_and_escaped_names_and_reads_back_in_utc():
    name = "کٲشِر دستکار، سرینگر; Keller Living, GmbH\nBerlin " * 2
    meeting = {"_id": "m:s1:b1", "seller_id": "s1", "buyer_id": "b1", "day": "2030-07-30", "start": "10:00", "end": "10:30", "table": 4,
               "timezone": "Asia/Dubai", "interpreter": "int-1", "interpreter_name": "Rafiq Ahmad"}
    lines = schedule_lines([meeting], "s1", {"b1": name})
    data = schedule_ics("s1", lines, "Dubai BSM, July", STATS["at"])
    assert max(len(line) for line in data.encode().split(b"\r\n")) <= 75
    calendar = Calendar.from_ical(data)
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Dubai"] and calendar.calendar_name == "Dubai BSM, July"
    [event] = calendar.events
    assert event.start.astimezone(timezone.utc) == datetime(2030, 7, 30, 6, tzinfo=timezone.utc)
    assert event["SUMMARY"] == f"Meeting with {name} (table 4, interpreter Rafiq Ahmad)"
    assert (event["UID"], event.DTSTAMP) == ("m:s1:b1@bsm", STATS["at"])
