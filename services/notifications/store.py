"""Notifications' MongoDB collection: every notification with its status and attempts."""
from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal
from datetime import datetime, time, timedelta, timezone
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.money import Money, in_words
from shared.envelope import Event

from services.notifications.domain.contacts import Contact
from services.notifications.domain.notifications import DEAD, PENDING, SENDING, SENT, Notification

NOTIFICATIONS, CONTACTS, MEETINGS = "notifications", "contacts", "meetings"
OUTBOX_COLLECTIONS = [NOTIFICATIONS]
CONTACT_FIELDS = ("name", "role", "email", "phone", "language")
PREFERENCE_FIELDS = ("channels", "opted_out", "quiet_start", "quiet_end", "webhook_url", "webhook_secret")
_FIELDS = {f.name for f in fields(Notification)}


def ensure_indexes(db: Database) -> None:
    db[NOTIFICATIONS].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due")
    db[NOTIFICATIONS].create_index("source_event_id", name="source_event")
    db[NOTIFICATIONS].create_index("recipient_id", name="recipient")
    db[NOTIFICATIONS].create_index("correlation_id", name="correlation")
    db[MEETINGS].create_index("meet_id")


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

    def claim_due(self, now: datetime, lease: timedelta, limit: int = 10) -> list[Notification]:
        """Take up to ``limit`` due notifications for sending.

        Each is taken by a guarded update (still pending, or its lease run out), so of two
        dispatchers only one gets it; the lease lets one be taken again if its dispatcher
        died mid-send. A find then single-document updates, rather than findAndModify,
        because FerretDB's findAndModify costs some 20 ms a call.
        """
        claimed: list[Notification] = []
        for query in ({"status": PENDING, "next_attempt_at": {"$lte": now}}, {"status": SENDING, "lease_until": {"$lte": now}}):
            for doc in self.collection.find(query, {"_id": 1}).sort("next_attempt_at", ASCENDING).limit(limit - len(claimed)):
                guarded = {"_id": doc["_id"], **query}
                if self.collection.update_one(guarded, {"$set": {"status": SENDING, "lease_until": now + lease}, "$inc": {"attempts": 1}}).modified_count:
                    claimed.append(_notification(self.collection.find_one({"_id": doc["_id"]})))
            if len(claimed) >= limit:
                break
        return claimed

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

    def unread_count(self, recipient_id: str) -> int:
        return self.collection.count_documents({"recipient_id": recipient_id, "channel": "inbox", "status": SENT, "read": {"$ne": True}})

    def mark_read(self, recipient_id: str, notification_id: str) -> bool:
        query = {"_id": notification_id, "recipient_id": recipient_id, "channel": "inbox"}
        return self.collection.update_one(query, {"$set": {"read": True}}).matched_count == 1

    def resend(self, notification_id: str) -> bool:
        now = datetime.now(timezone.utc)
        update = {"$set": {"status": PENDING, "next_attempt_at": now, "attempts": 0}}
        return self.collection.update_one({"_id": notification_id, "status": {"$in": [SENT, DEAD]}}, update).modified_count == 1

    def cancel_pending(self, **filters: str) -> int:
        """Withdraw scheduled messages that no longer apply (a reminder of a cancelled meeting)."""
        return self.collection.update_many({**filters, "status": PENDING}, {"$set": {"status": "cancelled"}}).modified_count

    def _finish(self, notification: Notification, update: dict[str, Any], events: list[Event]) -> None:
        update["$unset"] = {"lease_until": ""}
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        outbox.update_one(self.collection.database, NOTIFICATIONS, {"_id": notification.id, "status": SENDING}, update, entries)


class ContactStore:
    """How to reach each participant (from registration's events) and what they chose."""

    def __init__(self, db: Database):
        self.collection = db[CONTACTS]

    def save_if_newer(self, participant_id: str, contact: dict[str, Any], version: int) -> bool:
        fields = {k: contact.get(k) for k in CONTACT_FIELDS}
        try:
            self.collection.update_one({"_id": participant_id, "version": {"$lt": version}}, {"$set": {**fields, "version": version}}, upsert=True)
            return True
        except DuplicateKeyError:
            return False

    def set_preferences(self, participant_id: str, preferences: dict[str, Any]) -> bool:
        fields = {k: preferences[k] for k in PREFERENCE_FIELDS if k in preferences}
        return self.collection.update_one({"_id": participant_id}, {"$set": fields}).matched_count == 1

    def get(self, participant_id: str) -> Contact | None:
        doc = self.collection.find_one({"_id": participant_id})
        return _contact(doc) if doc else None

    def many(self, ids: list[str]) -> dict[str, Contact]:
        return {d["_id"]: _contact(d) for d in self.collection.find({"_id": {"$in": ids}})}


class MeetingView:
    """Published meetings, from matching's events: for personal schedules and reminders."""

    def __init__(self, db: Database):
        self.collection = db[MEETINGS]

    def save(self, meeting: dict[str, Any]) -> bool:
        fields = {k: v for k, v in meeting.items() if k != "meeting_id"}
        try:
            self.collection.update_one({"_id": meeting["meeting_id"], "version": {"$lt": meeting["version"]}}, {"$set": fields}, upsert=True)
            return True
        except DuplicateKeyError:
            return False

    def of_meet(self, meet_id: str) -> list[dict[str, Any]]:
        return list(self.collection.find({"meet_id": meet_id, "status": "scheduled"}).sort([("day", ASCENDING), ("start", ASCENDING)]))


class MeetNames:
    """The names of meets (from registration's events), for message texts."""

    def __init__(self, db: Database):
        self.collection = db["meets"]

    def save(self, meet_id: str, name: str, version: int, status: str | None = None, timezone: str = "Asia/Kolkata", reminder_minutes: int = 30) -> None:
        fields = {"name": name, "version": version, "timezone": timezone, "reminder_minutes": reminder_minutes, **({"status": status} if status else {})}
        try:
            self.collection.update_one({"_id": meet_id, "version": {"$lt": version}}, {"$set": fields}, upsert=True)
        except DuplicateKeyError:
            pass

    def with_status(self, *statuses: str) -> list[dict[str, Any]]:
        return list(self.collection.find({"status": {"$in": list(statuses)}}))

    def get(self, meet_id: str) -> str:
        doc = self.collection.find_one({"_id": meet_id})
        return doc["name"] if doc and doc.get("name") else "the Buyer-Seller Meet"

    def reminder_minutes(self, meet_id: str, default: int) -> int:
        return (self.collection.find_one({"_id": meet_id}) or {}).get("reminder_minutes") or default

    def mark_published(self, meet_id: str) -> None:
        self.collection.update_one({"_id": meet_id}, {"$set": {"published": True}}, upsert=True)

    def published(self, meet_id: str) -> bool:
        return bool((self.collection.find_one({"_id": meet_id}) or {}).get("published"))


class Tallies:
    """What organisers' digests count: applications by status, and LoIs signed, per meet.
    Kept as one document per application or LoI, so a redelivered event counts once."""

    def __init__(self, db: Database):
        self.participation = db["participation"]
        self.lois = db["lois"]

    def save_participation(self, data: dict[str, Any]) -> None:
        fields = {k: data[k] for k in ("meet_id", "participant_id", "role", "status")}
        try:
            self.participation.update_one(
                {"_id": f"{data['meet_id']}:{data['participant_id']}", "version": {"$lt": data["version"]}},
                {"$set": {**fields, "version": data["version"]}}, upsert=True,
            )
        except DuplicateKeyError:
            pass

    def approved(self, meet_id: str) -> list[str]:
        return [d["participant_id"] for d in self.participation.find({"meet_id": meet_id, "status": "approved"}, {"participant_id": 1})]

    def save_loi(self, data: dict[str, Any]) -> None:
        self.lois.replace_one({"_id": data["meeting_id"]}, {"meet_id": data["meet_id"], "value_inr": data["value_inr"]}, upsert=True)

    def counts(self, meet_id: str) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for doc in self.participation.find({"meet_id": meet_id}, {"status": 1, "role": 1}):
            key = f"{doc['role']}s_{doc['status']}"
            by_status[key] = by_status.get(key, 0) + 1
        values = [Decimal(d["value_inr"]) for d in self.lois.find({"meet_id": meet_id}, {"value_inr": 1})]
        return {"applications": by_status, "lois": len(values), "loi_value": in_words(Money(sum(values, Decimal(0))))}


def _contact(doc: dict[str, Any]) -> Contact:
    values = {k: doc.get(k) for k in CONTACT_FIELDS + PREFERENCE_FIELDS if doc.get(k) is not None}
    for key in ("quiet_start", "quiet_end"):
        if key in values:
            values[key] = time.fromisoformat(values[key])
    values.setdefault("name", doc["_id"])
    values.setdefault("role", "participant")
    return Contact(participant_id=doc["_id"], version=doc.get("version", 0), **values)


def _notification(doc: dict[str, Any]) -> Notification:
    return Notification(**{k: v for k, v in doc.items() if k in _FIELDS})


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    hidden = {outbox.OUTBOX, outbox.PENDING, "lease_until", "context", "attachments"}
    out = {k: v for k, v in doc.items() if k not in hidden}
    out["id"] = out.pop("_id")
    return out


def notification_gauges(db: Database):
    """Notifications by channel and status, for /metrics."""
    counts: dict[tuple[str, str], int] = {}
    for doc in db[NOTIFICATIONS].find({}, {"channel": 1, "status": 1}):
        key = (doc.get("channel", "?"), doc.get("status", "?"))
        counts[key] = counts.get(key, 0) + 1
    yield "bsm_notifications_stored", "Stored notifications by channel and status", ["channel", "status"], [([c, s], float(n)) for (c, s), n in sorted(counts.items())]
