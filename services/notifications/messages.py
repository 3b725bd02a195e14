"""The events notifications publishes."""
from __future__ import annotations

from datetime import datetime, timezone

from shared import contracts
from shared.contracts import notifications as catalogue
from shared.envelope import Event, new_event

from services.notifications import SERVICE
from services.notifications.domain.notifications import Notification

SOURCE = f"/bsm/{SERVICE}"


def notification_outcome(notification: Notification, sent: bool, error: str | None = None) -> Event:
    event_type = catalogue.NOTIFICATION_SENT if sent else catalogue.NOTIFICATION_FAILED
    data = contracts.data_for(
        event_type,
        {
            "notification_id": notification.id,
            "kind": notification.kind,
            "channel": notification.channel,
            "recipient_id": notification.recipient_id,
            "source_event_id": notification.source_event_id,
            "attempts": notification.attempts,
            "at": datetime.now(timezone.utc),
            "error": error,
        },
    )
    return new_event(event_type, SOURCE, notification.recipient_id, data)
