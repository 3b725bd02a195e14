"""Leases: one holder at a time for a short piece of work, across processes.

A lease is a document ``{_id: key, token, until}`` in a small collection. Taking a free
lease is an insert, which FerretDB and MongoDB both refuse atomically for an ``_id``
already there; a lease whose holder died (``until`` passed) is taken over by an update
conditional on the token read, so two takers cannot both win; giving a lease back deletes
it if the token still holds it. The collection holds only leases in force (and those of
holders that died, until taken over), and every operation is an ``_id`` lookup.

A holder that outlives its lease (``seconds``) may find the work taken over: a lease
shortens the time two writers race, it does not replace the conditional writes that make
each write safe.
"""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "leases"


class Busy(Exception):
    """Another holder kept the lease for longer than the caller would wait."""


class Leases:
    """Leases of ``seconds`` each in ``db[collection]``; ``clock`` gives aware UTC datetimes."""

    def __init__(self, db: Database, seconds: float = 30.0, collection: str = COLLECTION,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.collection = db[collection]
        self.length = timedelta(seconds=seconds)
        self.clock = clock

    def take(self, key: str) -> str | None:
        """The lease on ``key`` (its token), or None while someone else holds it."""
        token = uuid.uuid4().hex
        for _ in range(3):  # given back between our insert and our read: insert again
            now = self.clock()
            try:
                self.collection.insert_one({"_id": key, "token": token, "until": now + self.length})
                return token
            except DuplicateKeyError:
                pass
            held = self.collection.find_one({"_id": key})
            if held is None:
                continue
            if _aware(held["until"]) > now:
                return None
            taken = self.collection.update_one({"_id": key, "token": held["token"]}, {"$set": {"token": token, "until": now + self.length}})
            return token if taken.modified_count == 1 else None
        return None

    def give_back(self, key: str, token: str) -> None:
        """End the lease on ``key`` if ``token`` still holds it."""
        self.collection.delete_one({"_id": key, "token": token})

    @contextmanager
    def held(self, key: str, wait_seconds: float = 3.0, poll_seconds: float = 0.02) -> Iterator[None]:
        """Run the block holding the lease on ``key``, waiting up to ``wait_seconds`` for it
        (polling every ``poll_seconds``); Busy if it stays held. Given back after the block,
        whatever it raises."""
        deadline = time.monotonic() + wait_seconds
        token = self.take(key)
        while token is None:
            if time.monotonic() >= deadline:
                raise Busy(key)
            time.sleep(poll_seconds)
            token = self.take(key)
        try:
            yield
        finally:
            self.give_back(key, token)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
