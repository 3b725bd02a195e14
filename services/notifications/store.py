"""Notifications' MongoDB collection: every notification with its status and attempts."""
from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.envelope import Event

from services.notifications.domain.notifications import DEAD, PENDING, SENDING, SENT, Notification

NOTIFICATIONS = "notifications"
OUTBOX_COLLECTIONS = [NOTIFICATIONS]
_FIELDS = {f.name for f in fields(Notification)}


def ensure_indexes(db: Database) -> None:
    outbox.ensure_outbox_index(db, OUTBOX_COLLECTIONS)
    db[NOTIFICATIONS].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due")
    db[NOTIFICATIONS].create_index("source_event_id", name="source_event")
    db[NOTIFICATIONS].create_index("recipient_id", name="recipient")


class NotificationStore:
    def __init__(self, db: Database, topic: str):
        self.collection = db[NOTIFICATIONS]
        self.topic = topic

    def add(self, notification: Notification) -> bool:
        """Record a notification once; False when it was already recorded (a redelivery)."""
        try:
            self.collection.insert_one({"_id": notification.id, **asdict(notification)})
            return True
        except DuplicateKeyError:
            return False

    def claim_due(self, now: datetime, lease: timedelta) -> Notification | None:
        """Take one due notification for sending; the lease stops other dispatchers taking it,
        and lets one be taken again if its dispatcher died mid-send."""
        doc = self.collection.find_one_and_update(
            {
                "$or": [
                    {"status": PENDING, "next_attempt_at": {"$lte": now}},
                    {"status": SENDING, "lease_until": {"$lte": now}},
                ]
            },
            {"$set": {"status": SENDING, "lease_until": now + lease}, "$inc": {"attempts": 1}},
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return _notification(doc) if doc else None

    def mark_sent(self, notification: Notification, rendered: dict[str, Any], events: list[Event]) -> None:
        now = datetime.now(timezone.utc)
        update = {"$set": {"status": SENT, "sent_at": now, "rendered": rendered, "last_error": None}}
        self._finish(notification, update, events)

    def mark_failed(self, notification: Notification, error: str, retry_at: datetime | None, events: list[Event]) -> None:
        """Back to pending for another try at ``retry_at``, or dead when there is none."""
        status = {"status": PENDING, "next_attempt_at": retry_at} if retry_at else {"status": DEAD}
        self._finish(notification, {"$set": {**status, "last_error": error}}, events)

    def find(self, **filters: str) -> list[dict[str, Any]]:
        """Notifications matching every given field (source_event_id, recipient_id, ...)."""
        return [_public(d) for d in self.collection.find(filters).sort("created_at", ASCENDING)]

    def inbox(self, recipient_id: str) -> list[dict[str, Any]]:
        query = {"recipient_id": recipient_id, "channel": "inbox", "status": SENT}
        return [_public(d) for d in self.collection.find(query).sort("created_at", ASCENDING)]

    def _finish(self, notification: Notification, update: dict[str, Any], events: list[Event]) -> None:
        update["$unset"] = {"lease_until": ""}
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        self.collection.update_one({"_id": notification.id, "status": SENDING}, outbox.with_outbox(update, entries))


def _notification(doc: dict[str, Any]) -> Notification:
    return Notification(**{k: v for k, v in doc.items() if k in _FIELDS})


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    hidden = {outbox.OUTBOX, outbox.PENDING, "lease_until", "context"}
    out = {k: v for k, v in doc.items() if k not in hidden}
    out["id"] = out.pop("_id")
    return out
