"""Participants (sellers and buyers) and what happens when one registers."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from shared.correlation import new_id


class DomainError(ValueError):
    """A request that breaks a registration rule; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Participant:
    role: str
    name: str
    country: str
    preferred_language: str
    organisation: str | None = None
    district: str | None = None
    state: str | None = None
    phone: str | None = None
    email: str | None = None
    id: str = field(default_factory=new_id)
    registered_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    version: int = 1

    def as_dict(self) -> dict:
        return asdict(self)


def register_participant(**details) -> Participant:
    """A new participant; a seller must be reachable by phone (most work from one)."""
    participant = Participant(**details)
    if participant.role == "seller" and not participant.phone:
        raise DomainError("A seller needs a mobile number.", field="phone")
    if not (participant.phone or participant.email):
        raise DomainError("Give a phone number or an email address.", field="phone")
    return participant
