"""Matching's own view of a participant, built only from the events registration publishes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ParticipantProfile:
    id: str
    role: str
    name: str
    country: str
    preferred_language: str
    version: int
    organisation: str | None = None
    district: str | None = None
    state: str | None = None
    languages: list[str] = field(default_factory=list)

    @classmethod
    def from_registration(cls, data: dict[str, Any]) -> "ParticipantProfile":
        """Keep what matching needs; contact details stay with registration and notifications."""
        return cls(
            id=data["participant_id"],
            role=data["role"],
            name=data["name"],
            country=data["country"],
            preferred_language=data["preferred_language"],
            version=data["version"],
            organisation=data.get("organisation"),
            district=data.get("district"),
            state=data.get("state"),
            languages=[data["preferred_language"]],
        )
