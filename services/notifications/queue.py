"""The due-queue: one small entry per notification waiting to be sent or retried.

Two collections, each as large as the pending work and never the history:
``notification_due`` holds the entries due within ``HORIZON`` (what dispatchers claim
from) and ``notification_later`` those due later (reminders days ahead, SMS held for
quiet hours), moved across as their time comes (``promote``), so a poll reads near-term
work only.

An entry is ``{_id: notification id, channel, kind, due_at, created_at, v, attempts,
holder}``. It is written before its notification, so a crash never leaves a notification
nobody will send, and deleted once the notification is sent, dead or withdrawn. Claiming
is a guarded update of the entry (``{_id, v}`` -> ``due_at = now + lease``, ``v + 1``): of
several dispatchers one wins each entry, and an entry whose dispatcher died is due again
when its lease runs out. Every change bumps ``v``, so a dispatcher settling an entry it
no longer holds changes nothing.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

from pymongo import ASCENDING, DeleteOne, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notifications.domain.priority import Due, pick

DUE, LATER = "notification_due", "notification_later"
HORIZON = timedelta(minutes=10)
DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Claim:
    """An entry this dispatcher holds: ``v`` is its version after the claim, ``attempts``
    counts this one."""

    id: str
    channel: str
    kind: str
    due_at: datetime
    created_at: datetime
    v: int
    attempts: int


class DueQueue:
    def __init__(self, db: Database, horizon: timedelta = HORIZON):
        self.due, self.later = db[DUE], db[LATER]
        self.horizon = horizon

    def ensure_indexes(self) -> None:
        """For MongoDB; FerretDB reads these small collections whole anyway."""
        self.due.create_index([("due_at", ASCENDING)], name="due")
        self.later.create_index([("due_at", ASCENDING)], name="due")

    def enqueue(self, notification_id: str, channel: str, kind: str, due_at: datetime) -> None:
        """Add an entry unless one exists (an entry being worked is left alone)."""
        now = _now()
        entry = {"_id": notification_id, "channel": channel, "kind": kind, "due_at": due_at, "created_at": now, "v": 0, "attempts": 0}
        try:
            self._for(due_at, now).insert_one(entry)
        except DuplicateKeyError:
            pass

    def put(self, notification_id: str, channel: str, kind: str, due_at: datetime) -> None:
        """Make the entry due at ``due_at`` with no attempts made, whatever state it was in."""
        now = _now()
        target = self._for(due_at, now)
        other = self.later if target is self.due else self.due
        target.update_one(
            {"_id": notification_id},
            {"$set": {"channel": channel, "kind": kind, "due_at": due_at, "attempts": 0, "holder": None},
             "$inc": {"v": 1}, "$setOnInsert": {"created_at": now}},
            upsert=True,
        )
        other.delete_one({"_id": notification_id})

    def claim(self, now: datetime, lease: timedelta, free: Mapping[str, int] | None = None, limit: int | None = None) -> list[Claim]:
        """Take the most urgent due entries (``pick``) for ``lease``; of several
        dispatchers claiming at once, each entry goes to one."""
        entries = {d["_id"]: d for d in self.due.find({"due_at": {"$lte": now}})}
        chosen = pick([Due(d["_id"], d["channel"], d["kind"], _aware(d["due_at"])) for d in entries.values()], free, limit)
        if not chosen:
            return []
        token = uuid.uuid4().hex
        claims = [
            UpdateOne({"_id": c.id, "v": entries[c.id]["v"]}, {"$set": {"due_at": now + lease, "holder": token}, "$inc": {"v": 1, "attempts": 1}})
            for c in chosen
        ]
        won = {c.id for c in chosen}
        if self.due.bulk_write(claims, ordered=False).modified_count < len(claims):
            won = {d["_id"] for d in self.due.find({"holder": token}, {"_id": 1})}
        return [
            Claim(c.id, c.channel, c.kind, c.due_at, _aware(entries[c.id]["created_at"]), entries[c.id]["v"] + 1, entries[c.id].get("attempts", 0) + 1)
            for c in chosen if c.id in won
        ]

    def settle(self, done: Iterable[Claim], moved: Iterable[tuple[Claim, datetime, bool]]) -> None:
        """Delete the ``done`` entries; give the ``moved`` ones a new due time (``(claim,
        at, counted)``: an attempt not ``counted`` is taken back). Entries that changed
        since they were claimed are left as they are."""
        writes = [DeleteOne({"_id": c.id, "v": c.v}) for c in done]
        for claim, at, counted in moved:
            step = {"v": 1} if counted else {"v": 1, "attempts": -1}
            writes.append(UpdateOne({"_id": claim.id, "v": claim.v}, {"$set": {"due_at": at, "holder": None}, "$inc": step}))
        if writes:
            self.due.bulk_write(writes, ordered=False)

    def promote(self, now: datetime) -> int:
        """Move the entries due within the horizon from ``later`` to ``due``; how many."""
        entries = list(self.later.find({"due_at": {"$lte": now + self.horizon}}))
        if not entries:
            return 0
        try:
            self.due.insert_many(entries, ordered=False)
        except BulkWriteError as exc:
            raise_unless_duplicates(exc)
        self.later.bulk_write([DeleteOne({"_id": e["_id"], "v": e["v"]}) for e in entries], ordered=False)
        return len(entries)

    def remove(self, ids: list[str]) -> None:
        for collection in (self.due, self.later):
            if ids:
                collection.bulk_write([DeleteOne({"_id": i}) for i in ids], ordered=False)

    def waiting(self, now: datetime) -> dict[tuple[str, str], int]:
        """Entries by (channel, "pending" or "sending"), for /metrics."""
        counts: dict[tuple[str, str], int] = {}
        for collection in (self.due, self.later):
            for entry in collection.find({}, {"channel": 1, "holder": 1, "due_at": 1}):
                sending = entry.get("holder") and _aware(entry["due_at"]) > now
                key = (entry.get("channel", "?"), "sending" if sending else "pending")
                counts[key] = counts.get(key, 0) + 1
        return counts

    def size(self) -> int:
        return self.due.estimated_document_count() + self.later.estimated_document_count()

    def _for(self, due_at: datetime, now: datetime):
        return self.later if _aware(due_at) > now + self.horizon else self.due


def raise_unless_duplicates(exc: BulkWriteError) -> None:
    """A bulk insert or upsert that only hit existing ``_id``\\ s did what it had to."""
    if any(error.get("code") != DUPLICATE_KEY for error in exc.details.get("writeErrors", [])) or exc.details.get("writeConcernErrors"):
        raise exc


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
