"""Claims on places (``services.matching.domain.places``), enforced by the database.

A claim is a document whose ``_id`` is the place's key and whose ``holder`` names what
holds it (a meeting id, a lock). Inserting it is the atomic step: FerretDB has no
transactions and loses concurrent read-then-write updates, but an insert whose ``_id``
exists fails on every backend, so two operations that both looked and saw a place free
cannot both take it. Everything that creates a meeting claims its places before writing
the meeting and gives them back when the meeting is cancelled or the write fails.

- A retry of the same operation finds the places held by the same holder and keeps them.
- A claim left behind by a process that died between claiming and writing is *stale*
  once it is older than ``STALE_AFTER`` and its holder is not live (the caller says what
  live means: the meeting exists at that place, or a publication of it is under way, or
  the lock is still stored); the next claimant takes it over, guarded by the stale
  claim's holder and time so that two claimants cannot both take it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError, CollectionInvalid, OperationFailure

OCCUPANCY, LOCK_CLAIMS = "occupancy", "lock_claims"
STALE_AFTER = timedelta(seconds=120)
BATCH = 1000
DUPLICATE_KEY = 11000


class Taken(Exception):
    """Places someone else holds; ``reasons`` says which, in words."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def ensure_collections(db: Database) -> None:
    """Create the claim collections up front (a lookup in a missing one is not answered from an index)."""
    present = set(db.list_collection_names())
    for name in {OCCUPANCY, LOCK_CLAIMS} - present:
        try:
            db.create_collection(name)
        except (CollectionInvalid, OperationFailure):
            pass  # another process created it meanwhile


class Claims:
    """The claims of one collection; ``is_live(claim)`` tells whether an old claim's holder still needs it."""

    def __init__(self, db: Database, collection: str, is_live: Callable[[dict[str, Any]], bool]):
        self.collection: Collection = db[collection]
        self.is_live = is_live

    def claim(self, holder: str, places: dict[str, str], **fields: Any) -> list[str]:
        """Hold every place of ``places`` (key -> what it is, in words) for ``holder``, with
        ``fields`` stored on each claim. Returns the keys this call took (those already
        held by ``holder`` are kept, not returned). Raises ``Taken`` with the words of every
        place someone else holds, after giving back what this call took."""
        taken, refused = self.claim_many([(holder, places, fields)])
        if refused:
            raise Taken(refused[holder])
        return taken[holder]

    def claim_many(self, claims: list[tuple[str, dict[str, str], dict[str, Any]]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """``claim`` for many (holder, places, fields) at once, in a few bulk inserts.
        Returns (keys taken by this call per holder that got all its places, reasons per
        holder refused); a refused holder keeps nothing this call took."""
        now = datetime.now(timezone.utc)
        docs = [{"_id": key, "holder": holder, "at": now, **fields} for holder, places, fields in claims for key in places]
        missed = self._insert(docs)
        taken: dict[str, list[str]] = {holder: [] for holder, _, _ in claims}
        refused: dict[str, list[str]] = {}
        words = {holder: places for holder, places, _ in claims}
        for number, doc in enumerate(docs):
            key, holder = doc["_id"], doc["holder"]
            outcome = "took" if number not in missed else self._resolve(doc)
            if outcome == "took":
                taken[holder].append(key)
            elif outcome == "refused":
                refused.setdefault(holder, []).append(words[holder][key])
        for holder in refused:
            self.release(holder, taken.pop(holder))
        return taken, refused

    def release(self, holder: str, keys: Iterable[str]) -> None:
        """Give back the places of ``keys`` that ``holder`` holds (others' are left alone)."""
        for key in keys:
            self.collection.delete_one({"_id": key, "holder": holder})

    def _insert(self, docs: list[dict[str, Any]]) -> set[int]:
        """Insert the claims; returns the positions of those whose key was already held."""
        missed: set[int] = set()
        for start in range(0, len(docs), BATCH):
            batch = docs[start:start + BATCH]
            try:
                self.collection.insert_many(batch, ordered=False)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != DUPLICATE_KEY for e in errors):
                    raise
                missed |= {start + e["index"] for e in errors}
        return missed

    def _resolve(self, doc: dict[str, Any]) -> str:
        """For a claim whose key was held at insert time: "held" (by the same holder, a
        retry), "took" (given back meanwhile, or stale and taken over) or "refused"."""
        current = self.collection.find_one({"_id": doc["_id"]})
        if current is not None:
            if current["holder"] == doc["holder"]:
                return "held"
            if not self._stale(current):
                return "refused"
            self.collection.delete_one({"_id": current["_id"], "holder": current["holder"], "at": current["at"]})
        try:
            self.collection.insert_one(doc)
            return "took"
        except DuplicateKeyError:
            return "refused"

    def _stale(self, claim: dict[str, Any]) -> bool:
        at = claim.get("at")
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        return (at is None or datetime.now(timezone.utc) - at > STALE_AFTER) and not self.is_live(claim)
