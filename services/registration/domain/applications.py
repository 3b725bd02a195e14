"""A participant's application to take part in a meet, and the organiser's decision on it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from services.registration.domain.errors import DomainError

APPLIED, APPROVED, REJECTED, WAITLISTED, WITHDRAWN = "applied", "approved", "rejected", "waitlisted", "withdrawn"
ALL_SLOTS = "all"  # availability meaning every slot of the meet
DECISIONS = {"approve": APPROVED, "reject": REJECTED, "waitlist": WAITLISTED}
ALLOWED = {
    APPLIED: {APPROVED, REJECTED, WAITLISTED, WITHDRAWN},
    WAITLISTED: {APPROVED, REJECTED, WITHDRAWN},
    APPROVED: {WITHDRAWN, REJECTED},
    REJECTED: set(),
    WITHDRAWN: set(),
}


def application_id(meet_id: str, participant_id: str) -> str:
    """One application per participant and meet: applying twice finds the first."""
    return f"{meet_id}:{participant_id}"


@dataclass
class Application:
    """``availability``: slot ids of the meet version ``slots_version`` (None: applied
    before it was recorded); ``all_slots``: whether the applicant chose every slot (None:
    applied before the choice was recorded)."""

    meet_id: str
    participant_id: str
    role: str
    availability: list[str]
    status: str = APPLIED
    reason: str | None = None
    decided_by: str | None = None
    applied_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    decided_at: datetime | None = None
    version: int = 1
    all_slots: bool | None = None
    slots_version: int | None = None

    @property
    def id(self) -> str:
        return application_id(self.meet_id, self.participant_id)

    def as_dict(self) -> dict:
        return asdict(self)

    def move_to(self, status: str, by: str, reason: str | None = None) -> None:
        if status not in ALLOWED[self.status]:
            raise DomainError(f"An application that is {self.status} cannot become {status}.", "decision")
        if status == REJECTED and not reason:
            raise DomainError("Say why the application is rejected.", "reason")
        self.status, self.reason, self.decided_by = status, reason, by
        self.decided_at = datetime.now(timezone.utc)

    @property
    def holds_a_place(self) -> bool:
        return self.status == APPROVED


def check_availability(availability: list[str], unknown: list[str]) -> None:
    if not availability:
        raise DomainError("Choose at least one slot you can attend.", "availability")
    if unknown:
        raise DomainError(f"Not slots of this meet: {', '.join(unknown[:5])}.", "availability")
