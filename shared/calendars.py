"""Calendar files of meetings (iCalendar, RFC 5545), written by the ``icalendar`` library.

One generator for every calendar the platform hands out: matching's agenda feed and the
file attached to notifications' schedule email. The library escapes text (commas,
semicolons, backslashes, line breaks), folds lines at 75 octets without splitting a
UTF-8 character, and each time zone a meeting is in gets its VTIMEZONE, built from the
IANA database (``tzdata``) for the years the meetings fall in, so a client that does not
know the zone's name (Outlook) still shows the right time in any zone, with or without
daylight saving.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

from icalendar import Calendar, Event

from shared.timezones import wall_clock

PUBLISH = "PUBLISH"


@dataclass(frozen=True)
class CalendarMeeting:
    """One meeting as a calendar event.

    ``day`` is ``YYYY-MM-DD`` and ``start``/``end`` ``HH:MM``, on the wall clock of ``zone``
    (an IANA name such as ``Asia/Dubai``; ``ZoneInfoNotFoundError`` if tzdata lacks it).
    ``uid`` is the meeting's id (``@bsm`` is added); ``sequence`` its version, so a client
    replaces an older copy of the same event. ``interpreter`` is a name (or an id when no
    name is known), None when the two share a language."""

    uid: str
    day: str
    start: str
    end: str
    zone: str
    counterpart: str
    table: int | str
    interpreter: str | None = None
    sequence: int = 0
    cancelled: bool = False
    location: str = ""
    description: str = ""

    @property
    def summary(self) -> str:
        """``Meeting with <counterpart> (table <n>[, interpreter <name>])``."""
        interpreter = f", interpreter {self.interpreter}" if self.interpreter else ""
        return f"Meeting with {self.counterpart} (table {self.table}{interpreter})"

    def at(self, clock: str) -> datetime:
        """The aware datetime of ``clock`` (``HH:MM``) on the meeting's day, in its zone."""
        return wall_clock(self.day, clock, self.zone)


def meetings_calendar(meetings: Iterable[CalendarMeeting], product: str, stamp: datetime, name: str = "",
                      method: str = PUBLISH) -> bytes:
    """The iCalendar file (UTF-8, CRLF lines) of ``meetings``, one VEVENT each, with a
    VTIMEZONE for every zone they use.

    ``product`` names the writer in PRODID (``-//BSM Platform//<product>//EN``); ``stamp``
    (an aware datetime) is every event's DTSTAMP, in UTC, so the same input always gives the
    same bytes; ``name`` is the calendar's display name (NAME and X-WR-CALNAME) when given;
    ``method`` is the iTIP method (RFC 5546), also what a mail attachment's Content-Type says."""
    calendar = Calendar()
    calendar.add("prodid", f"-//BSM Platform//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.calendar_name = name
    days = []
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp.astimezone(timezone.utc)))
        days.append(date.fromisoformat(meeting.day))
    if days:
        calendar.add_missing_timezones(first_date=date(min(days).year, 1, 1), last_date=date(max(days).year + 2, 1, 1))
    return calendar.to_ical()


def calendar_method(data: bytes | str) -> str:
    """The METHOD of the iCalendar file ``data`` (``PUBLISH`` when it has none); ValueError
    when ``data`` is not one."""
    return str(Calendar.from_ical(data).get("method") or PUBLISH).upper()


def _event(meeting: CalendarMeeting, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@bsm")
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.at(meeting.start))
    event.add("dtend", meeting.at(meeting.end))
    event.add("summary", meeting.summary)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.description:
        event.add("description", meeting.description)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    return event
