"""What may be recorded about a meeting after it, and which dates of it can be true.

Every path that records an outcome or a Letter of Intent (one meeting, or many at once)
asks these, with the meeting's own day, start and IANA time zone (the venue's), and the
time now:

- ``ensure_begun``: nothing comes of a meeting before its slot has begun on the venue's
  wall clock (the test ``publication.started_slots`` uses for the day's walk-ins), so an
  outcome or an LoI of a meeting still to come is refused (``NotBegun``).
- ``check_signed_on``: an LoI is signed at its meeting or after it, so not before the
  meeting's day, and not after today at the venue (``ImpossibleDate`` naming
  ``signed_on``). An LoI signed days or months after the meet and recorded later still is
  taken: its follow-ups already past collapse into one status request
  (``follow_ups.plan``).

LoIs and outcomes carry no other date (a follow-up's history is dated the day it is told).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from shared.meeting_times import has_begun, starts_at, venue_today

__all__ = ["NotBegun", "ImpossibleDate", "ensure_begun", "check_signed_on", "check_loi", "starts_at", "venue_today"]


class NotBegun(ValueError):
    """The meeting's slot has not begun: nothing can have come of it yet."""


class ImpossibleDate(ValueError):
    """A date given about a meeting that cannot be true; ``field`` names it."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def ensure_begun(meeting: Mapping[str, Any], now: datetime) -> None:
    """Nothing if ``meeting`` has begun by ``now`` (aware). Raises NotBegun."""
    if not has_begun(meeting, now):
        raise NotBegun(f"The meeting begins on {meeting['day']} at {meeting['start']} ({meeting['timezone']}): "
                       "its outcome and Letter of Intent are recorded once it has begun.")


def check_signed_on(meeting: Mapping[str, Any], signed_on: date, now: datetime) -> None:
    """Nothing if an LoI of ``meeting`` may have been signed on ``signed_on``: on the
    meeting's day or later, and not after today at the venue at ``now`` (aware).
    Raises ImpossibleDate (field ``signed_on``)."""
    day = date.fromisoformat(meeting["day"])
    if signed_on < day:
        raise ImpossibleDate(f"{signed_on.isoformat()} is before the meeting ({day.isoformat()}): "
                             "a Letter of Intent is signed at its meeting or after it.", "signed_on")
    today = venue_today(meeting, now)
    if signed_on > today:
        raise ImpossibleDate(f"{signed_on.isoformat()} is after today ({today.isoformat()} at the venue): "
                             "record a Letter of Intent once it is signed.", "signed_on")


def check_loi(meeting: Mapping[str, Any], signed_on: date, now: datetime) -> None:
    """``ensure_begun``, then ``check_signed_on``. Raises NotBegun, ImpossibleDate."""
    ensure_begun(meeting, now)
    check_signed_on(meeting, signed_on, now)
