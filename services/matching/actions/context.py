"""What every action of matching works with: its stores, and the errors views map to problems."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.database import Database

from services.matching.store import InterpreterStore, MeetingStore, MeetView, PreferenceStore, ProfileStore, RequestStore, ScheduleStore


class NotFound(LookupError):
    pass


class Refused(ValueError):
    """The request breaks a rule of matching (the message says which)."""


@dataclass
class Matching:
    profiles: ProfileStore
    meets: MeetView
    preferences: PreferenceStore
    schedules: ScheduleStore
    meetings: MeetingStore
    requests: RequestStore
    interpreters: InterpreterStore

    @classmethod
    def on(cls, db: Database, topic: str) -> "Matching":
        """Every store of matching on ``db``, publishing on ``topic``."""
        return cls(ProfileStore(db, topic), MeetView(db), PreferenceStore(db), ScheduleStore(db, topic), MeetingStore(db, topic),
                   RequestStore(db, topic), InterpreterStore(db))


def meet_of(ctx: Matching, meet_id: str) -> dict[str, Any]:
    """The meet as matching knows it. Raises NotFound."""
    meet = ctx.meets.meet(meet_id)
    if meet is None:
        raise NotFound(f"Matching knows no meet {meet_id}.")
    return meet
