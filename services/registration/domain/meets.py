"""A Buyer-Seller Meet: its days, sessions, slots and tables, and its lifecycle."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from shared.correlation import new_id

from services.registration.domain.errors import Conflict, DomainError

DRAFT, OPEN, CLOSED, SCHEDULED, LIVE, COMPLETED, CANCELLED = (
    "draft", "registration_open", "registration_closed", "scheduled", "live", "completed", "cancelled",
)
STATUSES = (DRAFT, OPEN, CLOSED, SCHEDULED, LIVE, COMPLETED, CANCELLED)
TRANSITIONS = {
    DRAFT: {OPEN, CANCELLED},
    OPEN: {CLOSED, CANCELLED},
    CLOSED: {OPEN, SCHEDULED, CANCELLED},
    SCHEDULED: {CLOSED, LIVE, CANCELLED},
    LIVE: {COMPLETED},
    COMPLETED: set(),
    CANCELLED: set(),
}
EDITABLE = {DRAFT, OPEN, CLOSED}


@dataclass(frozen=True)
class Break:
    start: time
    end: time


@dataclass(frozen=True)
class Slot:
    id: str
    day: date
    start: time
    end: time


@dataclass
class Meet:
    name: str
    venue: str
    city: str
    days: list[date]
    session_start: time
    session_end: time
    meeting_minutes: int
    tables: int
    capacity_sellers: int
    capacity_buyers: int
    timezone: str = "Asia/Kolkata"
    gap_minutes: int = 0
    reminder_minutes: int = 30
    breaks: list[Break] = field(default_factory=list)
    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    historical: bool = False
    status: str = DRAFT
    id: str = field(default_factory=new_id)
    version: int = 1
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def check(self) -> None:
        """Refuse a meet that cannot be run as described: DomainError naming the field (no
        days, a day twice, a session ending before it starts, a break outside it,
        registration closing before it opens or opening or closing after the last day, as
        dated at the venue, or no meeting fitting in the session)."""
        if not self.days:
            raise DomainError("A meet needs at least one day.", "days")
        if len(set(self.days)) != len(self.days):
            raise DomainError("A day is listed twice.", "days")
        if self.session_end <= self.session_start:
            raise DomainError("The session must end after it starts.", "session_end")
        for item in self.breaks:
            if not (self.session_start <= item.start < item.end <= self.session_end):
                raise DomainError("Each break must lie inside the session hours.", "breaks")
        if self.registration_opens and self.registration_closes and self.registration_closes <= self.registration_opens:
            raise DomainError("Registration must close after it opens.", "registration_closes")
        last_day = max(self.days)
        for name, verb in (("registration_opens", "open"), ("registration_closes", "close")):
            moment = getattr(self, name)
            if moment is not None and moment.astimezone(ZoneInfo(self.timezone)).date() > last_day:
                raise DomainError(f"Registration cannot {verb} after the meet's last day ({last_day.isoformat()} at the venue).", name)
        slots = self.slots()
        if not slots:
            raise DomainError("No meeting fits in the session hours: shorten the meetings or lengthen the session.", "meeting_minutes")
        zone = ZoneInfo(self.timezone)
        for slot in slots:
            for at in (slot.start, slot.end):
                problem = wall_time_problem(slot.day, at, zone)
                if problem:
                    raise DomainError(f"On {slot.day.isoformat()} the clocks of {self.timezone} change: {at.strftime('%H:%M')} {problem}. "
                                      "Move the session hours, or that day.", "days")

    def check_days(self, today: date) -> None:
        """Refuse days in the past (``today``: the date at the venue), unless the meet is
        historical (one that already happened, recorded after the fact), whose days must
        all be past or today."""
        if self.historical:
            if any(day > today for day in self.days):
                raise DomainError("A historical meet records one that already happened: its days cannot be in the future.", "days")
        elif any(day < today for day in self.days):
            past = min(self.days).isoformat()
            raise DomainError(f"{past} is in the past; to record a meet that already happened, create it with historical: true.", "days")

    def slots(self) -> list[Slot]:
        """Every meeting slot: from session start, one meeting plus gap at a time, skipping breaks."""
        result = []
        length, step = timedelta(minutes=self.meeting_minutes), timedelta(minutes=self.meeting_minutes + self.gap_minutes)
        for day in sorted(self.days):
            cursor = datetime.combine(day, self.session_start)
            end_of_day = datetime.combine(day, self.session_end)
            while cursor + length <= end_of_day:
                clash = next((b for b in self.breaks if _overlaps(cursor, cursor + length, day, b)), None)
                if clash:
                    cursor = datetime.combine(day, clash.end)
                    continue
                result.append(Slot(f"{day.isoformat()}T{cursor.time().strftime('%H%M')}", day, cursor.time(), (cursor + length).time()))
                cursor += step
        return result

    def transition(self, to: str) -> None:
        if to not in STATUSES:
            raise DomainError(f"Unknown status {to!r}.", "status")
        if to not in TRANSITIONS[self.status]:
            allowed = ", ".join(sorted(TRANSITIONS[self.status])) or "none"
            raise Conflict(f"A meet that is {self.status} cannot become {to} (allowed: {allowed}).", "status")
        self.status = to

    def ensure_can_complete(self, now: datetime) -> None:
        """Conflict while the meet's last slot has not begun at the venue by ``now`` (aware):
        completed, a meet sends its results and thank-yous and takes no more walk-ins or
        drafts, so meetings still to come would be left out of the first and never held."""
        slots = self.slots()
        if not slots:
            return
        last = slots[-1]
        begins = datetime.combine(last.day, last.start, tzinfo=ZoneInfo(self.timezone))
        if now < begins:
            raise Conflict(f"The meet's last slot begins at {last.day.isoformat()} {last.start.strftime('%H:%M')} ({self.timezone}): "
                           "complete it once that slot has begun.", "status")

    def ensure_editable(self) -> None:
        if self.status not in EDITABLE:
            raise Conflict(f"A meet that is {self.status} can no longer be edited.", "status")

    def ensure_running(self) -> None:
        """Conflict once the meet is completed or cancelled: who takes part is settled."""
        if self.status in (COMPLETED, CANCELLED):
            raise Conflict(f"The meet is {self.status}: who takes part can no longer change.", "meet_id")

    def ensure_accepting_applications(self, now: datetime) -> None:
        if self.status != OPEN:
            raise Conflict(f"Registration for this meet is not open (it is {self.status}).", "meet_id")
        if self.registration_opens and now < self.registration_opens:
            raise DomainError("Registration for this meet has not opened yet.", "meet_id")
        if self.registration_closes and now > self.registration_closes:
            raise DomainError("Registration for this meet has closed.", "meet_id")

    def unknown_slots(self, slot_ids: Iterable[str]) -> list[str]:
        known = {slot.id for slot in self.slots()}
        return sorted(set(slot_ids) - known)


def _overlaps(start: datetime, end: datetime, day: date, item: Break) -> bool:
    return start < datetime.combine(day, item.end) and datetime.combine(day, item.start) < end


def wall_time_problem(day: date, at: time, zone: ZoneInfo) -> str | None:
    """Why ``at`` on ``day`` is no single moment in ``zone`` (``"does not exist there"`` in
    the hour a daylight-saving change skips, ``"happens twice there"`` in the hour it
    repeats), or None: a slot's time must name one instant (``zoneinfo``, PEP 495 ``fold``)."""
    local = datetime.combine(day, at, tzinfo=zone)
    if local.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return "does not exist there (the clocks go forward)"
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        return "happens twice there (the clocks go back)"
    return None
