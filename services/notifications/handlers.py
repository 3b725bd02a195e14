"""What notifications does with each event it consumes: decide who hears what, and record it.

Sending is the dispatcher's job; recording first means a crash never loses a message and
the deterministic notification id means a redelivered event records nothing new.
"""
from __future__ import annotations

from pymongo.database import Database

from shared import contracts
from shared.config import Settings
from shared.consumer import Handler
from shared.contracts import notifications as own
from shared.contracts import registration
from shared.envelope import Event

from services.notifications.domain import recipients
from services.notifications.store import NotificationStore

SUBSCRIBES_TO = [registration.TOPIC]


def build_handlers(db: Database, settings: Settings) -> dict[str, Handler]:
    store = NotificationStore(db, settings.topic(own.TOPIC))

    def on_participant_registered(event: Event) -> None:
        data = contracts.read_data(event)
        for notification in recipients.registration_received(event.id, event.correlation_id, data):
            store.add(notification)

    def on_verification_requested(event: Event) -> None:
        for notification in recipients.verification_code(event.id, event.correlation_id, contracts.read_data(event)):
            store.add(notification)

    return {
        registration.PARTICIPANT_REGISTERED: on_participant_registered,
        registration.VERIFICATION_REQUESTED: on_verification_requested,
    }
