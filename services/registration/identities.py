"""Unique phone numbers and GSTINs without multi-document transactions.

Each identity key (``phone:+919876543210``, ``gstin:01ABCDE1234F1Z5``) is claimed for a
participant by inserting it as the ``_id`` of an ``identities`` document before the
participant is written: an insert whose ``_id`` exists fails atomically, so two
registrations never both hold a key. A claim whose participant does not hold the key (the
process died between the two writes, the database timed out, or a change of phone did
not land) is taken over once it is older than ``GRACE``; a younger one belongs to a write
still in flight and counts as taken. Every read and write here names one document by
``_id``.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Collection, Iterable

from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from shared.request_budget import database_away, outside_budget

from services.registration.domain.errors import Conflict

IDENTITIES = "identities"
GRACE = timedelta(seconds=60)
DUPLICATE_KEY = 11000


class Identities:
    """Claims of identity keys; ``holds(participant_id, key)`` says whether that participant
    is stored with that key."""

    def __init__(self, db: Database, holds: Callable[[str, str], bool]):
        self.collection = db[IDENTITIES]
        self.holds = holds

    def claim_all(self, keys: list[str], participant_id: str, pending: Collection[str] = ()) -> None:
        """Claim every key for ``participant_id``: one insert when all are free.

        Raises Conflict (naming the holder) if one is held by a stored participant, by one
        in ``pending`` (about to be written by the caller) or by a registration in flight;
        the keys claimed here are released first.
        """
        if not keys:
            return
        try:
            self.collection.insert_many([_claim(key, participant_id) for key in keys], ordered=True)
            return
        except BulkWriteError as exc:
            first_taken = duplicate_indexes(exc)[0]
        try:
            for key in keys[first_taken:]:
                self.claim(key, participant_id, pending)
        except BaseException as exc:
            self.release_after_failure(keys, participant_id, exc)
            raise

    def claim(self, key: str, participant_id: str, pending: Collection[str] = ()) -> None:
        """Claim one key (see ``claim_all``); already holding it is fine."""
        owner = None
        for _attempt in range(3):
            try:
                self.collection.insert_one(_claim(key, participant_id))
                return
            except DuplicateKeyError:
                pass
            held = self.collection.find_one({"_id": key})
            if held is None:
                continue
            owner = held.get("participant_id")
            if owner == participant_id:
                return
            if owner in pending or _recent(held.get("at")) or self.holds(owner, key):
                break
            taken_over = self.collection.update_one({"_id": key, "participant_id": owner}, {"$set": _claim(key, participant_id)})
            if taken_over.modified_count == 1:
                return
        field = key.split(":", 1)[0]
        raise Conflict(f"A participant with this {field} is already registered.", field, owner)

    def claim_first(self, claims: list[tuple[str, str]]) -> set[str]:
        """Insert ``(key, participant_id)`` claims in one round trip (keys distinct); return
        the keys that were already held, which the caller resolves with ``claim``."""
        if not claims:
            return set()
        try:
            self.collection.insert_many([_claim(key, owner) for key, owner in claims], ordered=False)
            return set()
        except BulkWriteError as exc:
            return {claims[index][0] for index in duplicate_indexes(exc)}

    def holder(self, keys: Iterable[str], pending: Collection[str] = ()) -> str | None:
        """The participant (stored, or in ``pending``) holding one of ``keys``, if any."""
        for key in keys:
            owner = (self.collection.find_one({"_id": key}) or {}).get("participant_id")
            if owner and (owner in pending or self.holds(owner, key)):
                return owner
        return None

    def release(self, keys: Iterable[str], participant_id: str) -> None:
        """Give up the keys ``participant_id`` holds among ``keys`` (others are left alone)."""
        for key in keys:
            self.collection.delete_one({"_id": key, "participant_id": participant_id})

    def release_after_failure(self, keys: list[str], participant_id: str, error: BaseException) -> None:
        """Undo the claims of a write that failed with ``error``. If the database was away or
        too slow the write may still have landed (or land later), so the claims are kept:
        one whose participant does not hold the key is an orphan, taken over after
        ``GRACE``. Otherwise they are released with a budget of their own (the request's may
        be spent); a release that fails leaves orphans too."""
        if isinstance(error, PyMongoError) and database_away(error):
            return
        try:
            outside_budget(lambda: self.release(keys, participant_id))
        except PyMongoError:
            pass


def _claim(key: str, participant_id: str) -> dict:
    return {"_id": key, "participant_id": participant_id, "at": datetime.now(timezone.utc)}


def _recent(at: datetime | None) -> bool:
    if at is None:
        return False
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at > datetime.now(timezone.utc) - GRACE


def duplicate_indexes(exc: BulkWriteError) -> list[int]:
    """Indexes of the documents refused as duplicates; any other write error is raised."""
    errors = exc.details.get("writeErrors", [])
    if not errors or any(e.get("code") != DUPLICATE_KEY for e in errors):
        raise exc
    return [e["index"] for e in errors]
