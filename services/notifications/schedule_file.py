"""The calendar file attached to a personal schedule email (iCalendar, written by
shared/calendars.py, the generator matching's agenda feed uses too)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from shared.calendars import CalendarMeeting, meetings_calendar


def schedule_ics(participant_id: str, meetings: list[dict[str, Any]], meet_name: str, published_at: datetime | None = None) -> str:
    """``participant_id``'s calendar of ``meetings`` (schedule lines: meeting_id, day, start,
    end, table, timezone, interpreter and interpreter_name, with) at ``meet_name``, stamped with ``published_at``
    (now if None), so the same publication always gives the same file whatever order the
    events came in (SEQUENCE 0: a meeting's version there would depend on it). Each
    meeting is in its own time zone (Asia/Kolkata for a line without one); the interpreter is
    named, or given by id for a schedule recorded before names travelled."""
    events = [
        CalendarMeeting(
            uid=m["meeting_id"], day=m["day"], start=m["start"], end=m["end"], zone=m.get("timezone") or "Asia/Kolkata",
            counterpart=m["with"], table=m["table"], interpreter=m.get("interpreter_name") or m.get("interpreter"),
        )
        for m in meetings
    ]
    return meetings_calendar(events, "Notifications", published_at or datetime.now(timezone.utc), name=meet_name).decode()
