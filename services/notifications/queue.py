"""The due-queue: one small entry per notification waiting to be sent or retried.

Three collections, each as large as the pending work and never the history:
``notification_due`` holds the entries due within ``HORIZON`` (what dispatchers claim
from), ``notification_later`` those due later (reminders days ahead, SMS held for quiet
hours), moved across as their time comes (``promote``), so a poll reads near-term work
only, and ``notification_leases`` one document per claim in flight.

An entry is ``{_id: notification id, channel, kind, due_at, created_at, attempts, ready}``:
what the dispatchers order and claim by, nothing of the message itself, so a scan reads
small documents. The entry is written before its notification, so a crash never leaves a
notification nobody will send, marked ``ready`` once the notification is written, and
deleted once the notification is sent, dead or withdrawn.

Claiming inserts a lease ``{_id: "<entry id>#<n>", until}``: an insert whose ``_id`` exists
fails atomically, so of several dispatchers one wins each entry (a guarded update such as
``{_id, v: 3}`` is not enough: FerretDB 1.x lets two of them succeed). A lease that ran out
(its dispatcher died, perhaps after sending) lets the entry be claimed again with the next
``n``. Leases are short and the dispatcher holding them renews them (``renew``) while it
works, so every ``scan`` (which reads every lease) finds a dead dispatcher's claims free
soon after it died, backlog or not.

A lease only says who works on an entry now, not that nobody did: settling deletes it, so
a dispatcher claiming from a scan made before another one claimed, sent and settled the
entry inserts the same lease number again, and wins. So whoever holds a claim reads the
stored notification by ``_id`` before sending and drops it unless it is still pending:
the outcome was recorded before the lease was deleted, so that read sees it. The same
read drops an entry whose notification was never written (one not ``ready`` after a
grace period) or was withdrawn meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from pymongo import ASCENDING, DeleteOne, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notifications.domain.priority import Due, pick

DUE, LATER, LEASES = "notification_due", "notification_later", "notification_leases"
HORIZON = timedelta(minutes=10)
DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Claim:
    """An entry this dispatcher holds under ``lease_id``: ``attempts`` counts this one.
    What to send is the stored notification ``id``, read just before sending."""

    id: str
    channel: str
    kind: str
    due_at: datetime
    created_at: datetime
    lease_id: str
    attempts: int


class DueQueue:
    def __init__(self, db: Database, horizon: timedelta = HORIZON):
        self.due, self.later, self.leases = db[DUE], db[LATER], db[LEASES]
        self.horizon = horizon

    def ensure_indexes(self) -> None:
        """For MongoDB; FerretDB reads these small collections whole anyway."""
        self.due.create_index([("due_at", ASCENDING)], name="due")
        self.later.create_index([("due_at", ASCENDING)], name="due")

    def enqueue(self, notification_id: str, notification: dict[str, Any]) -> str:
        """Add a not yet ``ready`` entry for ``notification`` (its stored fields, of which
        the entry keeps channel, kind and ``next_attempt_at``) unless one exists (an entry
        being worked is left alone); returns the collection it went to."""
        now = _now()
        entry = {**_entry(notification_id, notification, now), "ready": False, "attempts": 0}
        target = self._for(entry["due_at"], now)
        try:
            target.insert_one(entry)
        except DuplicateKeyError:
            pass
        return target.name

    def ready(self, notification_id: str, collection: str) -> None:
        """The notification is written: the entry (in ``collection``, from ``enqueue``) may
        be claimed without waiting out the grace period."""
        (self.due if collection == DUE else self.later).update_one({"_id": notification_id}, {"$set": {"ready": True}})

    def put(self, notification_id: str, notification: dict[str, Any], due_at: datetime, attempts: int = 0) -> None:
        """Make the entry due at ``due_at``, ready, with ``attempts`` made, whatever state it was in."""
        now = _now()
        target = self._for(due_at, now)
        other = self.later if target is self.due else self.due
        fields = {**_entry(notification_id, notification, now), "due_at": due_at, "ready": True, "attempts": attempts}
        del fields["_id"], fields["created_at"]
        target.update_one({"_id": notification_id}, {"$set": fields, "$setOnInsert": {"created_at": now}}, upsert=True)
        other.delete_one({"_id": notification_id})

    def scan(self, now: datetime, grace: timedelta) -> list[dict[str, Any]]:
        """The entries that may be claimed now, most urgent first: due, not under a live
        lease, and ready or past the ``grace`` their notification had to be written. Each
        carries ``_lease`` (the number of its latest lease, 0 for none)."""
        latest: dict[str, dict[str, Any]] = {}
        for lease in self.leases.find({}):
            if lease["n"] > latest.get(lease["entry"], {"n": 0})["n"]:
                latest[lease["entry"]] = lease
        found = []
        for entry in self.due.find({"due_at": {"$lte": now}}):
            lease = latest.get(entry["_id"])
            if lease and _aware(lease["until"]) > now:
                continue
            if entry.get("ready") or _aware(entry["created_at"]) <= now - grace:
                found.append({**entry, "_lease": lease["n"] if lease else 0})
        return sorted(found, key=lambda e: _due(e).order)

    def claim(self, now: datetime, lease: timedelta, free: Mapping[str, int] | None = None, limit: int | None = None,
              candidates: list[dict[str, Any]] | None = None, grace: timedelta = timedelta(seconds=60)) -> list[Claim]:
        """Take the most urgent of ``candidates`` (from ``scan``; scanned now if None) for
        ``lease``; of several dispatchers claiming at once, each entry goes to one. The
        entries tried are removed from ``candidates``, won or not."""
        candidates = self.scan(now, grace) if candidates is None else candidates
        entries = {e["_id"]: e for e in candidates}
        chosen = pick([_due(e) for e in candidates], free, limit)
        if not chosen:
            return []
        tried = {c.id for c in chosen}
        candidates[:] = [e for e in candidates if e["_id"] not in tried]
        leases = [{"_id": f"{c.id}#{entries[c.id]['_lease'] + 1}", "entry": c.id, "n": entries[c.id]["_lease"] + 1, "until": now + lease} for c in chosen]
        lost: set[int] = set()
        try:
            self.leases.insert_many(leases, ordered=False)
        except BulkWriteError as exc:
            raise_unless_duplicates(exc)
            lost = {error["index"] for error in exc.details["writeErrors"]}
        return [_claim(entries[c.id], c, leases[i]["_id"]) for i, c in enumerate(chosen) if i not in lost]

    def renew(self, lease_ids: Iterable[str], until: datetime) -> None:
        """Extend the leases ``lease_ids`` to ``until`` (one write by ``_id`` each, in one
        bulk); a lease already ended (its claim settled) is not brought back."""
        writes = [UpdateOne({"_id": lease_id}, {"$set": {"until": until}}) for lease_id in lease_ids]
        if writes:
            self.leases.bulk_write(writes, ordered=False)

    def settle(self, done: Iterable[Claim], moved: Iterable[tuple[Claim, datetime]]) -> None:
        """Delete the ``done`` entries; give the ``moved`` ones (``(claim, at)``) a new due
        time and their attempts so far; then end the leases."""
        done, moved = list(done), list(moved)
        writes = [DeleteOne({"_id": c.id}) for c in done]
        writes += [UpdateOne({"_id": c.id}, {"$set": {"due_at": at, "attempts": c.attempts}}) for c, at in moved]
        if writes:
            self.due.bulk_write(writes, ordered=False)
            self.leases.bulk_write([DeleteOne({"_id": c.lease_id}) for c in done + [c for c, _ in moved]], ordered=False)

    def promote(self, now: datetime) -> int:
        """Move the entries due within the horizon from ``later`` to ``due``; how many."""
        entries = list(self.later.find({"due_at": {"$lte": now + self.horizon}}))
        if not entries:
            return 0
        try:
            self.due.insert_many(entries, ordered=False)
        except BulkWriteError as exc:
            raise_unless_duplicates(exc)
        self.later.bulk_write([DeleteOne({"_id": e["_id"]}) for e in entries], ordered=False)
        return len(entries)

    def forget_leases(self, now: datetime, older_than: timedelta) -> int:
        """Delete leases that ran out more than ``older_than`` ago and whose entry is gone
        (a dispatcher died after settling the entry); how many."""
        stale = [lease for lease in self.leases.find({}) if _aware(lease["until"]) <= now - older_than]
        gone = [lease["_id"] for lease in stale if not self.due.find_one({"_id": lease["entry"]}, {"_id": 1})]
        if gone:
            self.leases.bulk_write([DeleteOne({"_id": i}) for i in gone], ordered=False)
        return len(gone)

    def remove(self, ids: list[str]) -> None:
        for collection in (self.due, self.later):
            if ids:
                collection.bulk_write([DeleteOne({"_id": i}) for i in ids], ordered=False)

    def waiting(self, now: datetime) -> dict[tuple[str, str], int]:
        """Entries by (channel, "pending" or "sending"), for /metrics."""
        live = {lease["entry"] for lease in self.leases.find({}) if _aware(lease["until"]) > now}
        counts: dict[tuple[str, str], int] = {}
        for collection in (self.due, self.later):
            for entry in collection.find({}, {"channel": 1}):
                key = (entry.get("channel", "?"), "sending" if entry["_id"] in live else "pending")
                counts[key] = counts.get(key, 0) + 1
        return counts

    def size(self) -> int:
        return self.due.estimated_document_count() + self.later.estimated_document_count()

    def _for(self, due_at: datetime, now: datetime):
        return self.later if _aware(due_at) > now + self.horizon else self.due


def _entry(notification_id: str, notification: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"_id": notification_id, "channel": notification["channel"], "kind": notification["kind"],
            "due_at": notification["next_attempt_at"], "created_at": now}


def _due(entry: dict[str, Any]) -> Due:
    return Due(entry["_id"], entry["channel"], entry["kind"], _aware(entry["due_at"]))


def _claim(entry: dict[str, Any], due: Due, lease_id: str) -> Claim:
    return Claim(due.id, due.channel, due.kind, due.due_at, _aware(entry["created_at"]), lease_id, entry.get("attempts", 0) + 1)


def raise_unless_duplicates(exc: BulkWriteError) -> None:
    """A bulk insert or upsert that only hit existing ``_id``\\ s did what it had to."""
    if any(error.get("code") != DUPLICATE_KEY for error in exc.details.get("writeErrors", [])) or exc.details.get("writeConcernErrors"):
        raise exc


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
