"""Who hears about an event, and on which channel."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from services.notifications.domain.contacts import Contact, after_quiet_hours, deliveries
from services.notifications.domain.notifications import Notification

REGISTRATION_RECEIVED = "registration_received"
VERIFICATION_CODE = "verification_code"


def registration_received(event_id: str, correlation_id: str | None, data: dict[str, Any]) -> list[Notification]:
    """Confirm a registration by email when there is an address, else in the app inbox."""
    channel, address = ("email", data["email"]) if data.get("email") else ("inbox", data["participant_id"])
    return [
        Notification(
            kind=REGISTRATION_RECEIVED,
            channel=channel,
            recipient_id=data["participant_id"],
            address=address,
            language=data.get("preferred_language") or "en",
            context={"name": data["name"], "role": data["role"]},
            source_event_id=event_id,
            correlation_id=correlation_id,
        )
    ]


def verification_code(event_id: str, correlation_id: str | None, data: dict[str, Any]) -> list[Notification]:
    """The one-time code, on the channel registration chose (a must-have: never opted out of).
    The code stays sealed (``sealed_code``): only the dispatcher opens it, to send it."""
    return [
        Notification(
            kind=VERIFICATION_CODE,
            channel=data["channel"],
            recipient_id=data["participant_id"],
            address=data["address"],
            language=data.get("preferred_language") or "en",
            context={"name": data["name"], "sealed_code": data["sealed_code"]},
            source_event_id=event_id,
            correlation_id=correlation_id,
        )
    ]


def to_contact(
    contact: Contact, kind: str, context: dict[str, Any], event_id: str, correlation_id: str | None, at: datetime | None = None,
    schedule_key: str | None = None,
) -> list[Notification]:
    """One notification per channel the person is reached by for ``kind``, in their language,
    not before ``at`` (for scheduled messages) nor inside their quiet hours (for SMS).
    A ``schedule_key`` gives them ids that can be withdrawn (``scheduled_ids``)."""
    moment = at or datetime.now(timezone.utc)
    return [
        Notification(
            kind=kind,
            channel=channel,
            recipient_id=contact.participant_id,
            address=address,
            language=contact.language or "en",
            context={"name": contact.name, **context},
            source_event_id=event_id,
            correlation_id=correlation_id,
            next_attempt_at=after_quiet_hours(moment, contact, channel),
            schedule_key=schedule_key,
        )
        for channel, address in deliveries(contact, kind)
    ]
