"""A notification: one message of one kind, to one recipient, on one channel."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from services.notifications.domain.contacts import CHANNELS

PENDING, SENDING, SENT, FAILED, DEAD = "pending", "sending", "sent", "failed", "dead"


def notification_id(source_event_id: str, kind: str, recipient_id: str, channel: str) -> str:
    """Deterministic id: the same event, kind, recipient and channel always give the same
    notification, so a redelivered event collides instead of sending twice."""
    raw = "|".join((source_event_id, kind, recipient_id, channel))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class Notification:
    kind: str
    channel: str
    recipient_id: str
    address: str
    language: str
    context: dict[str, Any]
    source_event_id: str
    correlation_id: str | None = None
    status: str = PENDING
    attempts: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    next_attempt_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    last_error: str | None = None
    sent_at: datetime | None = None
    schedule_key: str | None = None  # set for scheduled messages, which are withdrawn by this key
    resends: int = 0  # how many times staff sent it again (store.resend)

    @property
    def id(self) -> str:
        return notification_id(self.schedule_key or self.source_event_id, self.kind, self.recipient_id, self.channel)

    @property
    def delivery_id(self) -> str:
        """What the receiver is told identifies this message: ``id`` at every attempt (so a
        copy sent again after a crash is known for the same message), ``id.N`` after
        staff's Nth resend (a new message, meant to arrive again). The email's Message-ID,
        the gateway's Idempotency-Key and reference, the webhook's X-BSM-Delivery."""
        return f"{self.id}.{self.resends}" if self.resends else self.id


def scheduled_ids(schedule_key: str, kind: str, recipient_ids: list[str]) -> list[str]:
    """Every id a scheduled message of ``kind`` under ``schedule_key`` can have (one per
    recipient and channel), so it can be withdrawn by id without searching for it."""
    return [notification_id(schedule_key, kind, recipient, channel) for recipient in recipient_ids for channel in CHANNELS]


def reminder_key(meeting_id: str, version: int) -> str:
    """The schedule key of a meeting's reminders: per version, so a moved meeting's new
    reminder never collides with the withdrawn one."""
    return f"reminder:{meeting_id}@{version}"


def nudge_key(request_id: str) -> str:
    return f"nudge:{request_id}"


def thanks_key(meet_id: str) -> str:
    """The key of a meet's thank-you messages: one per person whichever event records it
    (the completion, or an approval that arrives after it)."""
    return f"thanks:{meet_id}"


def suggestions_key(meet_id: str, participant_id: str, day: str) -> str:
    """The key of a participant's match suggestions on a UTC day (ISO date): at most one
    message a day whichever ``match_scores.updated`` events arrive that day."""
    return f"suggestions:{meet_id}:{participant_id}@{day}"


def retry_delay(attempts: int, base_seconds: float = 2.0, cap_seconds: float = 900.0) -> timedelta:
    """Exponential backoff after ``attempts`` failed sends: 2 s, 4 s, 8 s ... up to 15 min."""
    return timedelta(seconds=min(cap_seconds, base_seconds * (2 ** max(0, attempts - 1))))
