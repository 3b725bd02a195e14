"""A meeting's times on its venue's wall clock: when it begins, whether it has begun, the
venue's today, and the dates a Letter of Intent of it can have been signed on.

One rule for the whole platform: matching refuses what cannot be true with it
(``services/matching/domain/after_meeting.py``: nothing is recorded about a meeting before
its slot has begun, and an LoI is signed between the meeting's day and today at the venue),
and the web app offers no form that matching would refuse (``web/participant/agenda.py``,
``web/organiser/day.py``). A meeting is a mapping as matching stores and sends it
(``day`` ISO date, ``start`` "HH:MM", ``timezone`` IANA zone).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from shared.timezones import wall_clock

VENUE_ZONE = "Asia/Kolkata"
"""The zone of a meeting that names none (meets default to it)."""


def zone_of(meeting: Mapping[str, Any]) -> str:
    """The IANA time zone of ``meeting``'s venue."""
    return meeting.get("timezone") or VENUE_ZONE


def starts_at(meeting: Mapping[str, Any]) -> datetime:
    """When ``meeting`` begins, aware, on the venue's wall clock."""
    return wall_clock(meeting["day"], meeting["start"], zone_of(meeting))


def has_begun(meeting: Mapping[str, Any], now: datetime | None = None) -> bool:
    """True once ``meeting``'s slot has begun at ``now`` (aware; the time now by default)."""
    return (now or datetime.now(timezone.utc)) >= starts_at(meeting)


def venue_today(meeting: Mapping[str, Any], now: datetime | None = None) -> date:
    """The date at ``meeting``'s venue at ``now`` (aware; the time now by default)."""
    return (now or datetime.now(timezone.utc)).astimezone(ZoneInfo(zone_of(meeting))).date()


def signed_on_range(meeting: Mapping[str, Any], now: datetime | None = None) -> tuple[str, str]:
    """The first and last dates (ISO) an LoI of ``meeting`` can have been signed on: its day,
    and today at the venue."""
    return meeting["day"], venue_today(meeting, now).isoformat()


def signed_on_possible(meeting: Mapping[str, Any], signed_on: str, now: datetime | None = None) -> bool:
    """True when ``signed_on`` (``YYYY-MM-DD``) is a date within ``signed_on_range``."""
    try:
        signed = date.fromisoformat(signed_on)
    except (TypeError, ValueError):
        return False
    return date.fromisoformat(meeting["day"]) <= signed <= venue_today(meeting, now)
