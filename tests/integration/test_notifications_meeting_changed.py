"""A published meeting that moves (another table, time or time zone, after the meet was
edited) is announced to both sides as changed, once, whatever the redeliveries; a new
version that moves nothing (another interpreter) is not, and a cancellation stays a
cancellation.

Before, the new version only replaced the reminders: nobody was told their table had moved.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from shared.contracts import matching as matching_events
from shared.mongo import connect
from services.matching import messages as matching_messages
from tests.integration.test_notifications_any_order import feed, happened, meeting

pytestmark = pytest.mark.stack


def scheduled(version: int, **changes) -> object:
    return matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, {**meeting("s1", "b1"), "version": version, **changes})


def test_a_moved_meeting_is_announced_to_both_sides_once_and_a_new_interpreter_alone_is_not(settings_for):
    moved = scheduled(2, table=2)
    events = happened() + [moved, moved, scheduled(3, table=2, interpreter="int-9", interpreter_name="Zoya")]
    outcome = feed(settings_for, "moved", events)
    changed = outcome.of_kind("meeting_changed")
    assert sorted(changed) == ["b1", "s1"]
    assert {who: sorted(n["channel"] for n in found) for who, found in changed.items()} == {"b1": ["email", "inbox"], "s1": ["email", "inbox", "sms"]}
    assert {(n["context"]["table"], n["context"]["with"]) for n in changed["s1"]} == {(2, "Brand 1")}
    reminders = [n for n in outcome.of_kind("meeting_reminder")["s1"] if n["context"]["meeting_id"] == "meet-o:s1:b1"]
    assert {n["status"] for n in reminders if n["context"]["table"] == 1} == {"cancelled"}
    assert sorted(n["channel"] for n in reminders if n["status"] == "pending") == ["email", "inbox", "sms"], "one live reminder per channel, at table 2"
    assert {n["context"]["table"] for n in reminders if n["status"] == "pending"} == {2}
    assert outcome.waiting == 0


def test_a_meeting_that_only_changes_its_interpreter_tells_nobody(settings_for):
    outcome = feed(settings_for, "interpreter", happened() + [scheduled(2, interpreter="int-9", interpreter_name="Zoya")])
    assert outcome.of_kind("meeting_changed") == {}


def test_a_walk_in_that_moves_is_changed_not_added_again(settings_for):
    walk_in = {**meeting("s3", "b1"), "version": 2, "table": 2}
    moved = matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, walk_in)
    handed = matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, {**walk_in, "version": 3, "interpreter": "int-9"})
    outcome = feed(settings_for, "walk_in_moved", happened() + [moved, handed])
    assert {who: len(found) for who, found in outcome.of_kind("meeting_added").items()} == {"b1": 2, "s3": 2}, "added once per channel, for version 1"
    assert sorted(outcome.of_kind("meeting_changed")) == ["b1", "s3"]


def test_a_meeting_that_only_ends_at_another_time_is_announced_with_its_new_end(settings_for):
    """A longer meeting length can keep a meeting's start and move only its end."""
    first = meeting("s1", "b1")
    hours, minutes = map(int, first["end"].split(":"))
    later_end = f"{hours + (minutes + 10) // 60:02d}:{(minutes + 10) % 60:02d}"
    outcome = feed(settings_for, "longer", happened() + [scheduled(2, end=later_end)])
    changed = outcome.of_kind("meeting_changed")
    assert sorted(changed) == ["b1", "s1"]
    assert {(n["context"]["start"], n["context"]["end"]) for found in changed.values() for n in found} == {(first["start"], later_end)}


@pytest.mark.parametrize("publication_last", [True, False])
def test_a_walk_in_cancelled_before_it_is_announced_is_never_announced_as_added(settings_for, publication_last):
    """Its cancellation read before the first publication (the addition is decided then),
    or before a redelivery of its first version: told it was cancelled, never that it was
    added."""
    walk_in = meeting("s3", "b1")
    added = matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, walk_in)
    cancelled = matching_messages.meeting_event(matching_events.MEETING_CANCELLED, {**walk_in, "version": 2, "status": "cancelled"})
    events = [e for e in happened() if e.subject != walk_in["_id"]]
    publication = [e for e in events if e.type == matching_events.SCHEDULE_PUBLISHED]
    rest = [e for e in events if e.type != matching_events.SCHEDULE_PUBLISHED]
    order = rest + [added, cancelled] + publication if publication_last else events + [cancelled, added]
    outcome = feed(settings_for, f"walk_in_cancelled_{publication_last}", order)
    assert outcome.of_kind("meeting_added") == {}
    told = {who for who, found in outcome.of_kind("meeting_cancelled").items() if any(n["context"]["with"] in ("Brand 1", "Weaver 3") for n in found)}
    assert {"s3", "b1"} <= told
    assert outcome.waiting == 0


def test_a_new_time_zone_re_times_the_reminders_and_is_announced_with_the_zone_once(settings_for):
    """The organisers corrected the meet's zone (Asia/Kolkata to UTC here): the meeting keeps
    10:00-10:30 on the wall clock, which is now 5.5 hours later. Its reminders are
    withdrawn and recorded again 45 minutes before the new instant; both sides are told,
    once despite the redelivery, with the zone after the times and a calendar file whose
    event replaces the schedule's (a later SEQUENCE) at the new instant."""
    rezoned = scheduled(2, timezone="UTC")
    outcome = feed(settings_for, "rezoned", happened() + [rezoned, rezoned])
    changed = outcome.of_kind("meeting_changed")
    assert {who: sorted(n["channel"] for n in found) for who, found in changed.items()} == {"b1": ["email", "inbox"], "s1": ["email", "inbox", "sms"]}
    for found in changed.values():
        for n in found:
            assert {k: n["context"][k] for k in ("start", "end", "zone", "timezone")} == {"start": "10:00", "end": "10:30", "zone": "UTC", "timezone": "UTC"}
            [event] = Calendar.from_ical(n["context"]["ics"]).walk("VEVENT")
            assert str(event["uid"]) == "meet-o:s1:b1@bsm" and int(event["sequence"]) == 2
            assert event.decoded("dtstart").astimezone(timezone.utc) == datetime(2030, 7, 30, 10, tzinfo=timezone.utc)

    reminders = [n for found in outcome.of_kind("meeting_reminder").values() for n in found if n["context"]["meeting_id"] == "meet-o:s1:b1"]
    ist_start, utc_start = datetime(2030, 7, 30, 4, 30, tzinfo=timezone.utc), datetime(2030, 7, 30, 10, tzinfo=timezone.utc)
    assert {due(n) for n in reminders if n["status"] == "cancelled"} == {ist_start - timedelta(minutes=45)}
    live = [n for n in reminders if n["status"] == "pending"]
    assert sorted((n["recipient_id"], n["channel"]) for n in live) == [("b1", "email"), ("b1", "inbox"), ("s1", "email"), ("s1", "inbox"), ("s1", "sms")]
    assert {due(n) for n in live} == {utc_start - timedelta(minutes=45)}, "one live reminder per person and channel, 45 minutes before 10:00 UTC"
    assert outcome.waiting == 0


def due(notification: dict) -> datetime:
    """When a recorded notification is due, aware (the database gives UTC without a zone)."""
    at = notification["next_attempt_at"]
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def test_a_new_version_at_the_same_time_once_the_reminder_went_out_sends_no_second_reminder(settings_for):
    """An interpreter renamed (a new version, nothing moved) 20 minutes before the meeting:
    its 30-minute reminder went out already. Before, the new version's reminder was
    recorded as due at once, and both sides were reminded twice."""
    soon = datetime.now(ZoneInfo("Asia/Kolkata")) + timedelta(minutes=20)
    at = {"day": soon.date().isoformat(), "start": soon.strftime("%H:%M"), "end": (soon + timedelta(minutes=20)).strftime("%H:%M")}
    moved, renamed, moved_again = scheduled(2, **at), scheduled(3, **at, interpreter="int-9", interpreter_name="Zoya"), scheduled(4, table=2)
    name = "reminded"
    database = connect(settings_for("notifications", NOTIFICATIONS_MONGODB_DATABASE=f"{settings_for('notifications').database_name}_{name}"))

    def deliver(handler, event):
        if event in (renamed, moved_again):
            database["notifications"].update_many({"kind": "meeting_reminder", "status": "pending", "schedule_key": "reminder:meet-o:s1:b1@2",
                                                   "recipient_id": "s1"}, {"$set": {"status": "sent"}})
        handler(event)

    outcome = feed(settings_for, name, happened() + [moved, renamed, moved_again], deliver)
    reminders = [n for found in outcome.of_kind("meeting_reminder").values() for n in found if n["context"]["meeting_id"] == "meet-o:s1:b1"]
    by_version = {}
    for n in reminders:
        by_version.setdefault(n["schedule_key"].rsplit("@", 1)[1], set()).add((n["recipient_id"], n["status"]))
    assert "3" not in by_version, "the reminder of version 2, at the same time, stands"
    assert by_version["2"] == {("s1", "sent"), ("b1", "cancelled")}, "b1's, still pending, withdrawn when version 4 moved the meeting"
    assert {status for _, status in by_version["4"]} == {"pending"}


def test_a_meeting_moved_to_a_time_closer_than_the_reminder_lead_is_reminded_with_the_minutes_left(settings_for):
    """The meet reminds 45 minutes before; a meeting moved to start in about 12 minutes is
    reminded at once, and the reminder says 12 minutes (it said 45). One still 45 minutes
    or more away says 45."""
    soon = datetime.now(ZoneInfo("Asia/Kolkata")) + timedelta(minutes=12, seconds=30)
    at = {"day": soon.date().isoformat(), "start": soon.strftime("%H:%M"), "end": (soon + timedelta(minutes=20)).strftime("%H:%M")}
    outcome = feed(settings_for, "reminded_late", happened() + [scheduled(2, **at)])
    reminders = [n for found in outcome.of_kind("meeting_reminder").values() for n in found if n["status"] == "pending"]
    late = {n["context"]["minutes"] for n in reminders if n["context"]["meeting_id"] == "meet-o:s1:b1"}
    assert late and late <= {12, 13}, late
    assert {n["context"]["minutes"] for n in reminders if n["context"]["meeting_id"] != "meet-o:s1:b1"} == {45}
