"""Notifications' own data: every notification (the history, read by ``_id``), the
due-queue that says what to send (``queue.py``), inboxes and status counters.

The dispatcher's and consumers' paths touch a notification by ``_id`` only. What grows
with history is queried only by the organisers' list (``find``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared import outbox
from shared.envelope import Event

from services.notifications.domain.notifications import DEAD, PENDING, SENT, Notification
from services.notifications.queue import DUE, LATER, LEASES, Claim, DueQueue, raise_unless_duplicates
from services.notifications.views import DIGEST_MEETS
from services.notifications.waiting import WAITING, WAITING_FOR

NOTIFICATIONS, INBOXES, COUNTERS, MIGRATIONS = "notifications", "inboxes", "notification_counts", "notifications_migrated"
CANCELLED = "cancelled"
OUTBOX_COLLECTIONS = [NOTIFICATIONS]
BOUNDED_COLLECTIONS = (DUE, LATER, LEASES, COUNTERS, DIGEST_MEETS, WAITING, WAITING_FOR)
"""Collections as large as the pending work (or a fixed set of keys), never the history:
the hot paths may read them whole. ``waiting`` and ``waiting_for`` hold consumed work
parked until what it needs arrives (``waiting.py``), read by ``_id`` all the same."""
_FIELDS = {f.name for f in fields(Notification)}
SENT_OUTCOME, RETRY, DEAD_OUTCOME, DROP = "sent", "retry", "dead", "drop"


def ensure_indexes(db: Database) -> None:
    """Indexes for the organisers' lists (used by MongoDB), and the one-time adoption of
    data written before the due-queue existed."""
    db[NOTIFICATIONS].create_index("source_event_id", name="source_event")
    db[NOTIFICATIONS].create_index("recipient_id", name="recipient")
    db[NOTIFICATIONS].create_index("correlation_id", name="correlation")
    DueQueue(db).ensure_indexes()
    adopt_history(db)


@dataclass
class Outcome:
    """What became of one claimed notification: ``sent``, ``retry`` at ``at``, ``dead``, or
    ``drop`` (its notification was never written, or is settled already)."""

    claim: Claim
    result: str
    notification: Notification | None = None
    rendered: dict[str, Any] | None = None
    error: str | None = None
    at: datetime | None = None
    events: list[Event] = field(default_factory=list)


class NotificationStore:
    def __init__(self, db: Database, topic: str):
        self.db, self.topic = db, topic
        self.collection, self.inboxes, self.counters = db[NOTIFICATIONS], db[INBOXES], db[COUNTERS]
        self.queue = DueQueue(db)

    def add(self, notification: Notification) -> bool:
        """Record a notification once, its queue entry first; False when it was already
        recorded (a redelivery)."""
        if self.collection.find_one({"_id": notification.id}, {"_id": 1}):
            return False
        fields = asdict(notification)
        where = self.queue.enqueue(notification.id, fields)
        try:
            self.collection.insert_one({"_id": notification.id, **fields})
        except DuplicateKeyError:
            return False
        self.queue.ready(notification.id, where)
        return True

    def get(self, notification_id: str) -> Notification | None:
        doc = self.collection.find_one({"_id": notification_id})
        return notification_from(doc) if doc else None

    def claim_due(self, now: datetime, lease: timedelta, limit: int | None = 10, free: dict[str, int] | None = None,
                  candidates: list[dict[str, Any]] | None = None) -> list[Claim]:
        """Take due entries, most urgent first, for ``lease`` (see ``DueQueue.claim``)."""
        return self.queue.claim(now, lease, free, limit, candidates)

    def tidy_queue(self, now: datetime, lease: timedelta) -> None:
        """Bring entries due soon into reach, and forget leases left by dispatchers that died."""
        self.queue.promote(now)
        self.queue.forget_leases(now, lease)

    def record(self, outcomes: list[Outcome]) -> None:
        """Write a batch of outcomes: inboxes, then the notifications with their events,
        then the queue, then the counters. A crash part way leaves queue entries whose
        notifications are settled, which the dispatcher drops when their lease ends."""
        now = datetime.now(timezone.utc)
        self._deliver_to_inboxes([(o.notification, o.rendered) for o in outcomes if o.result == SENT_OUTCOME and o.notification.channel == "inbox"], now)
        writes = []
        for o in outcomes:
            query, entries = {"_id": o.claim.id, "status": PENDING}, [outbox.outbox_entry(self.topic, e) for e in o.events]
            if o.result == SENT_OUTCOME:
                writes.append((query, {"$set": {"status": SENT, "sent_at": now, "rendered": o.rendered, "last_error": None, "attempts": o.claim.attempts}}, entries))
            elif o.result == DEAD_OUTCOME:
                writes.append((query, {"$set": {"status": DEAD, "last_error": o.error, "attempts": o.claim.attempts}}, entries))
            elif o.result == RETRY:
                writes.append((query, {"$set": {"last_error": o.error, "attempts": o.claim.attempts, "next_attempt_at": o.at}}, entries))
        outbox.update_each(self.db, NOTIFICATIONS, writes)
        self.queue.settle(
            [o.claim for o in outcomes if o.result in (SENT_OUTCOME, DEAD_OUTCOME, DROP)],
            [(o.claim, o.at) for o in outcomes if o.result == RETRY],
        )
        self._count([(o.claim.channel, o.result, 1) for o in outcomes if o.result in (SENT_OUTCOME, DEAD_OUTCOME)])

    def resend(self, notification_id: str) -> bool:
        """Send a sent or dead notification again, from its first attempt, as a new message
        (``resends`` counts them: ``Notification.delivery_id``)."""
        doc = self.collection.find_one({"_id": notification_id})
        if not doc or doc.get("status") not in (SENT, DEAD):
            return False
        now = datetime.now(timezone.utc)
        update = {"$set": {"status": PENDING, "next_attempt_at": now, "attempts": 0}, "$inc": {"resends": 1}}
        if self.collection.update_one({"_id": notification_id, "status": doc["status"]}, update).modified_count != 1:
            return False
        self.queue.put(notification_id, asdict(notification_from({**doc, "status": PENDING, "attempts": 0})), now)
        self._count([(doc["channel"], doc["status"], -1)])
        return True

    def reschedule(self, notification_id: str, at: datetime) -> bool:
        """Move a pending notification's due time (send it now after an outage, say),
        keeping the attempts made so far."""
        doc = self.collection.find_one({"_id": notification_id})
        if not doc or doc.get("status") != PENDING:
            return False
        self.queue.put(notification_id, asdict(notification_from(doc)), at, attempts=doc.get("attempts", 0))
        self.collection.update_one({"_id": notification_id, "status": PENDING}, {"$set": {"next_attempt_at": at}})
        return True

    def cancel(self, ids: list[str]) -> int:
        """Withdraw the pending notifications among ``ids`` (ids that were never recorded
        are fine); how many were withdrawn. The queue entries go first: a crash part way
        leaves a notification nobody sends, as withdrawn in effect."""
        pending = [d for d in (self.collection.find_one({"_id": i}, {"status": 1, "channel": 1}) for i in ids) if d and d.get("status") == PENDING]
        withdrawn = 0
        if pending:
            self.queue.remove([d["_id"] for d in pending])
            writes = [UpdateOne({"_id": d["_id"], "status": PENDING}, {"$set": {"status": CANCELLED}}) for d in pending]
            withdrawn = self.collection.bulk_write(writes, ordered=False).modified_count
            self._count([(d["channel"], CANCELLED, 1) for d in pending])
        return withdrawn

    def find(self, **filters: str) -> list[dict[str, Any]]:
        """Notifications matching every given field (source_event_id, recipient_id, ...):
        the organisers' view of history, a query over every notification."""
        return [_public(d) for d in self.collection.find(filters).sort("created_at", ASCENDING)]

    def inbox(self, recipient_id: str) -> list[dict[str, Any]]:
        """A person's in-app messages, oldest first, each with ``read``."""
        doc = self.inboxes.find_one({"_id": recipient_id}) or {}
        unread = set(doc.get("unread", []))
        return [{**item, "read": item["id"] not in unread} for item in doc.get("items", [])]

    def unread_count(self, recipient_id: str) -> int:
        return len((self.inboxes.find_one({"_id": recipient_id}, {"unread": 1}) or {}).get("unread", []))

    def mark_read(self, recipient_id: str, notification_id: str) -> bool:
        return self.inboxes.update_one({"_id": recipient_id, "items.id": notification_id}, {"$pull": {"unread": notification_id}}).matched_count == 1

    def _deliver_to_inboxes(self, sent: list[tuple[Notification, dict[str, Any] | None]], now: datetime | None) -> None:
        writes = [
            UpdateOne(
                {"_id": notification.recipient_id, "items.id": {"$ne": notification.id}},
                {"$push": {"items": _inbox_item(notification, rendered, now)}, "$addToSet": {"unread": notification.id}},
                upsert=True,
            )
            for notification, rendered in sent
        ]
        if writes:
            try:
                self.inboxes.bulk_write(writes, ordered=False)
            except BulkWriteError as exc:  # already in that inbox: the upsert met the existing document
                raise_unless_duplicates(exc)

    def _count(self, changes: list[tuple[str, str, int]]) -> None:
        totals: dict[tuple[str, str], int] = {}
        for channel, status, step in changes:
            totals[(channel, status)] = totals.get((channel, status), 0) + step
        writes = [UpdateOne({"_id": f"{c}:{s}"}, {"$inc": {"n": n}, "$set": {"channel": c, "status": s}}, upsert=True) for (c, s), n in totals.items() if n]
        if writes:
            self.counters.bulk_write(writes, ordered=False)


def adopt_history(db: Database) -> int:
    """Once per database: queue entries for notifications pending from before the
    due-queue, inbox documents for inbox messages sent before, and the status counters.
    The only scan of the history, kept from running twice by a marker. Returns how many
    notifications were read."""
    if db[MIGRATIONS].find_one({"_id": "due_queue"}):
        return 0
    store, seen, counts = NotificationStore(db, ""), 0, []
    for doc in db[NOTIFICATIONS].find({}, {outbox.OUTBOX: 0}):
        seen += 1
        status = PENDING if doc.get("status") == "sending" else doc.get("status", PENDING)
        if status == PENDING:
            db[NOTIFICATIONS].update_one({"_id": doc["_id"]}, {"$set": {"status": PENDING}, "$unset": {"lease_until": ""}})
            store.queue.put(doc["_id"], asdict(notification_from({**doc, "status": PENDING})), doc.get("next_attempt_at") or datetime.now(timezone.utc))
        else:
            counts.append((doc.get("channel", "?"), status, 1))
        if status == SENT and doc.get("channel") == "inbox":
            store._deliver_to_inboxes([(notification_from(doc), doc.get("rendered"))], doc.get("sent_at"))
    store._count(counts)
    db[MIGRATIONS].update_one({"_id": "due_queue"}, {"$set": {"at": datetime.now(timezone.utc), "seen": seen}}, upsert=True)
    return seen


def notification_from(doc: dict[str, Any]) -> Notification:
    """A ``Notification`` from its stored fields (others are ignored)."""
    return Notification(**{k: v for k, v in doc.items() if k in _FIELDS})


def _inbox_item(notification: Notification, rendered: dict[str, Any] | None, sent_at: datetime | None) -> dict[str, Any]:
    return {"id": notification.id, "kind": notification.kind, "channel": "inbox", "status": SENT, "recipient_id": notification.recipient_id,
            "rendered": rendered, "created_at": notification.created_at, "sent_at": sent_at, "correlation_id": notification.correlation_id}


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    hidden = {outbox.OUTBOX, outbox.PENDING, "lease_until", "context", "attachments"}
    out = {k: v for k, v in doc.items() if k not in hidden}
    out["id"] = out.pop("_id")
    return out


def notification_gauges(db: Database):
    """Notifications by channel and status, for /metrics: waiting ones counted from the
    due-queue, settled ones from the counters (both small), never by reading history."""
    counts = DueQueue(db).waiting(datetime.now(timezone.utc))
    for doc in db[COUNTERS].find({}):
        counts[(doc["channel"], doc["status"])] = counts.get((doc["channel"], doc["status"]), 0) + doc.get("n", 0)
    yield "bsm_notifications_stored", "Stored notifications by channel and status", ["channel", "status"], [([c, s], float(n)) for (c, s), n in sorted(counts.items())]
