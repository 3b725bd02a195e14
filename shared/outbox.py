"""A transactional outbox that needs no multi-document transaction.

Each event is written into the very document whose state it describes, in the same
single-document write (``_outbox`` array plus an ``_outbox_pending`` counter that an index
can find). The relay publishes pending events in order and then removes exactly those
entries. A crash between publishing and removing publishes the event again on restart:
delivery is at-least-once and consumers deduplicate by event id.

Run one relay per service: several would each publish the same pending event, which
stays correct (consumers deduplicate) but wastes work and may reorder an entity's events.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kafka.errors import KafkaError
from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import PyMongoError

from shared import metrics
from shared.correlation import correlated
from shared.envelope import Event, from_document, to_document

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING = "_outbox_pending"


def outbox_entry(topic: str, event: Event) -> dict[str, Any]:
    return {"topic": topic, "event": to_document(event)}


def new_document(document: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A document to insert, carrying its outbox entries."""
    return {**document, OUTBOX: list(entries), PENDING: len(entries)}


def with_outbox(update: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Add the outbox entries to an update document (``$set`` etc.), same single write."""
    if not entries:
        return update
    merged = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$push", {})[OUTBOX] = {"$each": list(entries)}
    merged.setdefault("$inc", {})[PENDING] = len(entries)
    return merged


def ensure_outbox_index(db: Database, collections: list[str]) -> None:
    for name in collections:
        db[name].create_index([(PENDING, ASCENDING)], name="outbox_pending")


def pending_count(db: Database, collections: list[str]) -> int:
    """How many events wait to be published (the outbox backlog)."""
    total = 0
    for name in collections:
        for doc in db[name].find({PENDING: {"$gt": 0}}, {PENDING: 1}):
            total += doc.get(PENDING, 0)
    return total


Publish = Callable[[str, Event], Any]


class OutboxRelay:
    """Publishes what the service's documents hold in their outboxes."""

    def __init__(self, db: Database, collections: list[str], publish: Publish, batch_size: int = 100, service: str = ""):
        self.db = db
        self.service = service
        self.collections = collections
        self.publish = publish
        self.batch_size = batch_size

    def relay_once(self) -> int:
        """Publish every pending event once; return how many were published."""
        published = 0
        for name in self.collections:
            collection = self.db[name]
            for doc in collection.find({PENDING: {"$gt": 0}}, {OUTBOX: 1}).limit(self.batch_size):
                entries = doc.get(OUTBOX) or []
                for entry in entries:
                    self._publish(entry["topic"], from_document(entry["event"]))
                if entries:
                    collection.update_one(
                        {"_id": doc["_id"]},
                        {"$pullAll": {OUTBOX: entries}, "$inc": {PENDING: -len(entries)}},
                    )
                    published += len(entries)
        return published

    def _publish(self, topic: str, event: Event) -> None:
        self.publish(topic, event)
        metrics.EVENTS_PUBLISHED.labels(self.service, event.type).inc()
        with correlated(event.correlation_id, event.causation_id):
            log.info("event published", extra={"event_id": event.id, "event_type": event.type, "subject": event.subject, "topic": topic})

    def run(self, stop: threading.Event, poll_seconds: float = 0.2, max_backoff: float = 10.0) -> None:
        """Relay until ``stop`` is set; wait and retry while Kafka or Mongo is away."""
        backoff = poll_seconds
        while not stop.is_set():
            try:
                count = self.relay_once()
                backoff = poll_seconds
                if count:
                    continue
            except (KafkaError, PyMongoError) as exc:
                log.warning("outbox relay waiting", extra={"error": repr(exc), "retry_in_s": backoff})
                backoff = min(max_backoff, backoff * 2)
            stop.wait(backoff)
