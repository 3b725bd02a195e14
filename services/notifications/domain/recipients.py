"""Who hears about an event, and on which channel."""
from __future__ import annotations

from typing import Any

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
    """The one-time code, on the channel registration chose (a must-have: never opted out of)."""
    return [
        Notification(
            kind=VERIFICATION_CODE,
            channel=data["channel"],
            recipient_id=data["participant_id"],
            address=data["address"],
            language=data.get("preferred_language") or "en",
            context={"name": data["name"], "code": data["code"]},
            source_event_id=event_id,
            correlation_id=correlation_id,
        )
    ]
