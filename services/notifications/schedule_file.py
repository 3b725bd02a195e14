"""The calendar files of notifications' emails (iCalendar, written by shared/calendars.py,
the generator matching's agenda feed uses too): a personal schedule's, and a changed
meeting's."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from shared.calendars import CalendarMeeting, meetings_calendar
from shared.meeting_times import zone_of


def schedule_ics(participant_id: str, meetings: list[dict[str, Any]], meet_name: str, published_at: datetime | None = None) -> str:
    """``participant_id``'s calendar of ``meetings`` (schedule lines: meeting_id, day, start,
    end, table, timezone, interpreter and interpreter_name, with) at ``meet_name``, stamped with ``published_at``
    (now if None), so the same publication always gives the same file whatever order the
    events came in (SEQUENCE 0: a meeting's version there would depend on it). Each
    meeting is in its own time zone (Asia/Kolkata for a line without one); the interpreter is
    named, or given by id for a schedule recorded before names travelled."""
    events = [_calendar_meeting(m, m["with"]) for m in meetings]
    return meetings_calendar(events, "Notifications", published_at or datetime.now(timezone.utc), name=meet_name).decode()


def changed_meeting_ics(meeting: dict[str, Any], counterpart: str, meet_name: str, changed_at: datetime) -> str:
    """The calendar file of a meeting's new version (``meeting.scheduled`` data) for the
    person who meets ``counterpart``: the event of the schedule's file (the same UID) with
    its version as SEQUENCE, so a calendar holding an earlier copy replaces it; stamped with
    ``changed_at`` (the change's time), so a redelivery gives the same file."""
    event = _calendar_meeting(meeting, counterpart, sequence=meeting["version"])
    return meetings_calendar([event], "Notifications", changed_at, name=meet_name).decode()


def _calendar_meeting(m: dict[str, Any], counterpart: str, sequence: int = 0) -> CalendarMeeting:
    return CalendarMeeting(
        uid=m["meeting_id"], day=m["day"], start=m["start"], end=m["end"], zone=zone_of(m),
        counterpart=counterpart, table=m["table"], interpreter=m.get("interpreter_name") or m.get("interpreter"), sequence=sequence,
    )
