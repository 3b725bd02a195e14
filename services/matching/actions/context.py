"""What every action of matching works with: its stores, and the errors views map to problems."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from pymongo.database import Database

from services.matching.domain.places import lock_holder, meeting_places
from services.matching.occupancy import LOCK_CLAIMS, OCCUPANCY, Claims
from services.matching.store import InterpreterStore, MeetingStore, MeetView, PreferenceStore, ProfileStore, RequestStore, ScheduleStore


class NotFound(LookupError):
    pass


class Refused(ValueError):
    """The request breaks a rule of matching (the message says which)."""


class Raced(Refused):
    """A write conditional on the version read lost to a concurrent one: the action reads
    and decides again (``shared/retrying.py``); a 409 if it keeps losing."""


class Invalid(ValueError):
    """A value of the request cannot be true (the message says why); ``field`` names it."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def utc_now() -> datetime:
    """The time now, aware, in UTC."""
    return datetime.now(timezone.utc)


@dataclass
class Matching:
    profiles: ProfileStore
    meets: MeetView
    preferences: PreferenceStore
    schedules: ScheduleStore
    meetings: MeetingStore
    requests: RequestStore
    interpreters: InterpreterStore
    occupancy: Claims
    lock_claims: Claims
    clock: Callable[[], datetime] = utc_now
    """The time now (aware) by which the meet's wall clock is read: whether a meeting or slot
    has begun, the venue's today. Tests may give the context another."""

    @classmethod
    def on(cls, db: Database, topic: str) -> "Matching":
        """Every store of matching on ``db``, publishing on ``topic``."""
        schedules, meetings = ScheduleStore(db, topic), MeetingStore(db, topic)
        return cls(ProfileStore(db, topic), MeetView(db), PreferenceStore(db), schedules, meetings, RequestStore(db, topic), InterpreterStore(db),
                   Claims(db, OCCUPANCY, lambda claim: _meeting_holds(meetings, schedules, claim)),
                   Claims(db, LOCK_CLAIMS, lambda claim: _lock_holds(schedules, claim)))


def _meeting_holds(meetings: MeetingStore, schedules: ScheduleStore, claim: dict[str, Any]) -> bool:
    """A meeting's claim is live while the meeting is there, not cancelled, and holds the
    claimed place (its slot, people, table and interpreter now), or while the publication
    that claimed it for a draft is under way."""
    meeting = meetings.get(claim["holder"])
    if meeting and meeting.get("status") != "cancelled" and claim["_id"] in meeting_places(meeting["meet_id"], meeting):
        return True
    draft_id = claim.get("draft_id")
    return bool(draft_id) and (schedules.get(claim["meet_id"]) or {}).get("publishing") == draft_id


def _lock_holds(schedules: ScheduleStore, claim: dict[str, Any]) -> bool:
    """A lock's claim is live while the meet's schedule still holds that lock."""
    return claim["holder"] in {lock_holder(lock) for lock in schedules.locks(claim["meet_id"])}


def meet_of(ctx: Matching, meet_id: str) -> dict[str, Any]:
    """The meet as matching knows it. Raises NotFound."""
    meet = ctx.meets.meet(meet_id)
    if meet is None:
        raise NotFound(f"Matching knows no meet {meet_id}.")
    return meet


FINISHED = ("completed", "cancelled")


def ensure_meet_running(ctx: Matching, meet_id: str) -> None:
    """Refused when matching knows the meet as completed or cancelled (from registration's
    meet events): its schedule, requests, wishes, interpreters and the day can no longer
    change. Outcomes, LoIs and their follow-ups go on after the meet, so they are not
    checked here. A meet matching does not know is left to the action (NotFound)."""
    meet = ctx.meets.meet(meet_id)
    if meet is not None and meet.get("status") in FINISHED:
        raise Refused(f"The meet is {meet['status']}: this can no longer change.")
