"""A transactional outbox that needs no multi-document transaction and no scan.

Each event is written into the very document whose state it describes, in the same
single-document write (an ``_outbox`` array and an ``_outbox_pending`` count): the state
change and its events land together or not at all.

So that the relay never has to search the service's collections for pending events (on
FerretDB any query but an ``_id`` lookup reads the whole collection, and history only
grows), every such write first leaves a *pointer* in the small ``outbox_pointers``
collection, keyed ``"<collection>:<document id>"``. An update is bracketed::

    before the write:  $inc {n: 1, in_flight: 1}   (upsert)
    after the write:   $inc {n: 1, in_flight: -1}

and an insert of a new document needs only the first step, as a plain insert with
``in_flight: 0`` (``pointing_at_new``): the document being there says the insert landed.
A bulk of updates (``update_each``) leaves one pointer for all its documents, keyed
``"<collection>:batch:<uuid>"`` with their ids in ``document_ids``: inserted with
``in_flight: 1`` before the bulk write and lowered after it, two writes per bulk instead of
two per document (nobody else writes a batch pointer, so ``n`` only moves with them).

The relay reads the pointers (a collection as large as the pending work, not the
history), publishes the document's pending events, removes them from the document, and
deletes the pointer only if nobody touched it since it was read (``n`` unchanged), no
update was in flight then and the document exists (a batch pointer's updates have all
landed once its ``in_flight`` is 0; a document missing then was not written). Why this
loses nothing: with ``in_flight == 0`` every update announced so far has landed and an
announced insert has landed if its document is there, so the document read after the
pointer holds their events (a document several pointers name is read once a round, after
all of them); a write announced later changes ``n`` and the conditional delete leaves the
pointer for the next round. A writer that died after its pointer write leaves a pointer
whose document has nothing pending, or is missing: it is deleted once it has been quiet
for ``abandon_after`` seconds.

A crash between publishing and removing publishes the event again on restart: delivery
is at-least-once and consumers deduplicate by event id. Run one relay per service:
several would each publish the same pending event, which stays correct but wastes work
and may reorder an entity's events.
"""
from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from kafka.errors import KafkaError
from kafka.future import Future
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.results import BulkWriteResult

from shared import metrics
from shared.correlation import correlated
from shared.envelope import Event, from_document, from_json, to_json

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
POINTERS = "outbox_pointers"
MIGRATED = "outbox_migrated"


_RECORDING: ContextVar[list[str] | None] = ContextVar("outbox_recording", default=None)


def outbox_entry(topic: str, event: Event) -> dict[str, Any]:
    """The outbox entry of ``event`` for ``topic``: ``{"topic", "event"}`` with the event
    as CloudEvents JSON text (``envelope.to_json``; its id noted while ``recording_events``).
    Text, not a sub-document: FerretDB converts each field of what it stores, and an
    event's nested data made a participant's insert cost twice its state alone."""
    recording = _RECORDING.get()
    if recording is not None:
        recording.append(event.id)
    return {"topic": topic, "event": to_json(event)}


def entry_event(entry: dict[str, Any]) -> Event:
    """The event an outbox entry holds: JSON text, or a sub-document as entries written
    before the text form (still pending in a database being upgraded) hold it."""
    stored = entry["event"]
    return from_json(stored) if isinstance(stored, str) else from_document(stored)


def stored_events(document: dict[str, Any] | None) -> list[Event]:
    """The events waiting in a stored document's outbox, oldest first (none for None)."""
    return [entry_event(entry) for entry in (document or {}).get(OUTBOX) or []]


@contextmanager
def recording_events() -> Iterator[list[str]]:
    """The ids of the events put in the outbox inside the block (in this thread or task),
    so an API can tell a client which events its write published. Blocks nest: an outer
    block also gets the inner block's ids."""
    ids: list[str] = []
    token = _RECORDING.set(ids)
    try:
        yield ids
    finally:
        _RECORDING.reset(token)
        outer = _RECORDING.get()
        if outer is not None:
            outer.extend(ids)


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


def pointer_id(collection: str, document_id: Any) -> str:
    return f"{collection}:{document_id}"


def _announce(collection: str, document_id: Any) -> tuple[dict, dict]:
    """The pointer update before a write: ``n`` and ``in_flight`` up by one (an upsert)."""
    return ({"_id": pointer_id(collection, document_id)},
            {"$inc": {"n": 1, "in_flight": 1}, "$set": {"collection": collection, "document_id": document_id, "at": _now()}})


def _landed(collection: str, document_id: Any) -> tuple[dict, dict]:
    """The pointer update after a write: ``n`` up and ``in_flight`` down by one."""
    return {"_id": pointer_id(collection, document_id)}, {"$inc": {"n": 1, "in_flight": -1}, "$set": {"at": _now()}}


@contextmanager
def writing(db: Database, collection: str, document_id: Any) -> Iterator[None]:
    """Bracket a write that carries outbox entries for ``collection``/``document_id``.

    Raises whatever the write raises; the pointer is closed either way (a write that
    failed leaves a pointer whose document has nothing pending, which the relay drops).
    """
    db[POINTERS].update_one(*_announce(collection, document_id), upsert=True)
    try:
        yield
    finally:
        db[POINTERS].update_one(*_landed(collection, document_id))


Write = tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]


def update_each(db: Database, collection: str, writes: list[Write]) -> BulkWriteResult | None:
    """Many ``update_one``s with their outbox entries in three bulk writes, not three each.

    ``writes`` holds ``(query, update, entries)`` with ``query`` naming a document by
    ``_id``; each is still a single-document write, so each document's state change and
    its events land together. One batch pointer naming every document that gets entries
    is inserted (``in_flight: 1``) before and lowered after, as ``writing`` does for one.
    Returns pymongo's result (None for no writes); raises what ``bulk_write`` raises,
    after lowering the pointer.
    """
    if not writes:
        return None
    documents = list(dict.fromkeys(query["_id"] for query, _, entries in writes if entries))
    key = f"{collection}:batch:{uuid.uuid4().hex}"
    if documents:
        db[POINTERS].insert_one({"_id": key, "collection": collection, "document_ids": documents, "n": 1, "in_flight": 1, "at": _now()})
    try:
        return db[collection].bulk_write([UpdateOne(query, with_outbox(update, entries)) for query, update, entries in writes], ordered=False)
    finally:
        if documents:
            db[POINTERS].update_one({"_id": key}, {"$inc": {"n": 1, "in_flight": -1}, "$set": {"at": _now()}})


def _documents(pointer: dict[str, Any]) -> list[Any]:
    """The ids of the documents a pointer stands for: one, or a batch's."""
    return pointer["document_ids"] if "document_ids" in pointer else [pointer["document_id"]]


def pointing_at_new(db: Database, collection: str, document_id: Any) -> None:
    """The pointer for a document about to be inserted: one write, none after.

    An insert lands whole or not at all, so the relay needs no closing update to know it
    is done: it finds the document there (and publishes) or not yet there (and waits,
    dropping the pointer once it has been quiet for ``abandon_after``). If a pointer for
    the id already exists, its ``n`` is bumped so that a relay holding it keeps it.
    """
    key = pointer_id(collection, document_id)
    try:
        db[POINTERS].insert_one({"_id": key, "collection": collection, "document_id": document_id, "n": 1, "in_flight": 0, "at": _now()})
    except DuplicateKeyError:
        db[POINTERS].update_one({"_id": key}, {"$inc": {"n": 1}, "$set": {"at": _now()}}, upsert=True)


def insert_one(db: Database, collection: str, document: dict[str, Any], entries: list[dict[str, Any]]):
    """Insert ``document`` (which must carry ``_id``) with its outbox entries.

    Raises ``DuplicateKeyError`` like ``insert_one`` when the ``_id`` is taken.
    """
    if not entries:
        return db[collection].insert_one(document)
    pointing_at_new(db, collection, document["_id"])
    return db[collection].insert_one(new_document(document, entries))


def update_one(db: Database, collection: str, query: dict[str, Any], update: dict[str, Any], entries: list[dict[str, Any]], **options):
    """``update_one`` of the document ``query["_id"]`` plus its outbox entries, in one write.

    ``query`` must name the document by ``_id`` (further conditions, such as a version,
    may follow); ``options`` go to pymongo (``upsert=True``). Returns pymongo's result.
    """
    if not entries:
        return db[collection].update_one(query, update, **options)
    with writing(db, collection, query["_id"]):
        return db[collection].update_one(query, with_outbox(update, entries), **options)


def adopt_unpointed(db: Database, collections: list[str]) -> int:
    """Once per database: give a pointer to every document that holds pending events but
    was written before pointers existed. Returns how many were found. This is the only
    scan over whole collections, and a marker keeps it from running a second time."""
    if db[MIGRATED].find_one({"_id": "pointers"}):
        return 0
    found = 0
    for name in collections:
        for doc in db[name].find({PENDING: {"$gt": 0}}, {"_id": 1}):
            with writing(db, name, doc["_id"]):
                found += 1
    db[MIGRATED].update_one({"_id": "pointers"}, {"$set": {"at": _now(), "found": found}}, upsert=True)
    return found


def pending_count(db: Database, collections: list[str] | None = None) -> int:
    """How many events wait to be published (the outbox backlog), read through pointers."""
    total = 0
    for pointer in db[POINTERS].find({}, {"collection": 1, "document_id": 1, "document_ids": 1}):
        for document_id in _documents(pointer):
            doc = db[pointer["collection"]].find_one({"_id": document_id}, {PENDING: 1})
            total += (doc or {}).get(PENDING, 0) or 0
    return total


Publish = Callable[[str, Event], Any]


class OutboxRelay:
    """Publishes what the service's documents hold in their outboxes, found by pointer.

    ``publish(topic, event)`` may return kafka-python's future (``send_event_async``): the
    relay sends a whole batch, then waits for every acknowledgement before it removes the
    published entries, so a broker round trip is paid per batch, not per event.
    """

    def __init__(self, db: Database, collections: list[str], publish: Publish, batch_size: int = 200, service: str = "", abandon_after: float = 60.0):
        self.db = db
        self.service = service
        self.collections = collections
        self.publish = publish
        self.batch_size = batch_size
        self.abandon_after = timedelta(seconds=abandon_after)

    def relay_once(self) -> int:
        """Publish every pending event the pointers lead to once; return how many."""
        pointers = list(self.db[POINTERS].find({}).limit(self.batch_size))
        if not pointers:
            return 0
        read: dict[tuple[str, Any], dict] = {}  # (collection, id) -> the document, read once a round
        work: list[tuple[Collection, dict, list]] = []
        pending_acks = []
        for pointer in pointers:
            collection = self.db[pointer["collection"]]
            for document_id in _documents(pointer):
                if (pointer["collection"], document_id) in read:  # read after every pointer naming it: theirs are in
                    continue
                doc = read[(pointer["collection"], document_id)] = collection.find_one({"_id": document_id}, {OUTBOX: 1}) or {}
                entries = doc.get(OUTBOX) or []
                for entry in entries:
                    pending_acks.append(self._publish(entry["topic"], entry_event(entry)))
                if entries:
                    work.append((collection, doc, entries))
        for ack in pending_acks:
            if isinstance(ack, Future):
                ack.get(timeout=30)
        for collection, doc, entries in work:
            collection.update_one({"_id": doc["_id"]}, {"$pullAll": {OUTBOX: entries}, "$inc": {PENDING: -len(entries)}})
        now = _now()
        for pointer in pointers:
            quiet = _aware(pointer.get("at")) <= now - self.abandon_after
            landed = pointer.get("in_flight", 0) <= 0 and ("document_ids" in pointer or bool(read[(pointer["collection"], pointer["document_id"])]))
            if quiet or landed:
                self.db[POINTERS].delete_one({"_id": pointer["_id"], "n": pointer.get("n")})
        return sum(len(entries) for _, _, entries in work)

    def _publish(self, topic: str, event: Event):
        ack = self.publish(topic, event)
        metrics.EVENTS_PUBLISHED.labels(self.service, event.type).inc()
        with correlated(event.correlation_id, event.causation_id):
            log.info("event published", extra={"event_id": event.id, "event_type": event.type, "subject": event.subject, "topic": topic})
        return ack

    def run(self, stop: threading.Event, poll_seconds: float = 0.1, max_backoff: float = 10.0) -> None:
        """Relay until ``stop`` is set; wait and retry while Kafka or Mongo is away."""
        backoff = poll_seconds
        adopted = False
        while not stop.is_set():
            try:
                if not adopted:
                    adopt_unpointed(self.db, self.collections)
                    adopted = True
                count = self.relay_once()
                backoff = poll_seconds
                if count:
                    continue
            except (KafkaError, PyMongoError) as exc:
                log.warning("outbox relay waiting", extra={"error": repr(exc), "retry_in_s": backoff})
                backoff = min(max_backoff, backoff * 2)
            stop.wait(backoff)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
