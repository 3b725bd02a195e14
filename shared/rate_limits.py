"""Rate limits kept in the database, exact under concurrency on FerretDB and MongoDB.

A limit is N events per fixed window (an hour, a day). Each (limit, key) has one document,
``{_id: "<limit>:<key>", window, n}``, rewritten in place when its window has passed, so
the collection holds one small document per key that ever hit a limit and every access
is by ``_id``. Counting is a compare-and-set by ``_id`` (``n < N`` in the current window,
or the window is older), an insert for the first use (a duplicate ``_id`` fails
atomically); FerretDB applies such single-document writes one at a time per database
(the local write guard), MongoDB atomically, so no number of concurrent requests takes
more than N.

Keys come from outside (client addresses), so the collection must not grow with every
address that ever called: once an hour (``sweep_every``) a limiter deletes, off the
request's thread, the counters whose window ended more than a day ago (no window is
longer than a day, so none of them can count again). The collection then holds the keys
of the last two days at most; the sweep reads it once, not per request.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping

import pymongo
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
SWEEP_SECONDS = 30.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``window`` for one key; ``name`` prefixes the key."""

    name: str
    count: int
    window: timedelta

    @classmethod
    def from_env(cls, name: str, env: Mapping[str, str], variable: str, default: int, window: timedelta) -> "Limit":
        """The limit with its count from ``variable`` in ``env`` when set (a whole number)."""
        raw = env.get(variable)
        try:
            count = int(raw) if raw not in (None, "") else default
        except ValueError as exc:
            raise ValueError(f"{variable} must be a whole number, got {raw!r}") from exc
        return cls(name, count, window)


class RateLimited(Exception):
    """Over a limit: try again in ``retry_after`` seconds."""

    def __init__(self, limit: Limit, retry_after: int):
        super().__init__(f"{limit.name}: at most {limit.count} per {_describe(limit.window)}")
        self.limit, self.retry_after = limit, retry_after

    @property
    def per(self) -> str:
        return _describe(self.limit.window)


class RateLimiter:
    """Fixed-window counters in ``collection``; ``clock`` gives the time (aware UTC).
    Expired counters are swept every ``sweep_every`` (see the module), the first time one
    interval after the limiter is made, in a thread of its own unless ``background`` is
    False (then inside the ``take`` that finds it due). The sweep is the one query here
    that is not by ``_id``: hourly housekeeping, never on a request's path."""

    def __init__(self, collection: Collection, clock: Callable[[], datetime] | None = None,
                 sweep_every: timedelta = HOUR, background: bool = True):
        self.collection = collection
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.sweep_every = sweep_every
        self.background = background
        self._next_sweep = time.monotonic() + sweep_every.total_seconds()
        self._sweep_lock = threading.Lock()

    def sweep(self, now: datetime | None = None) -> int:
        """Delete the counters whose window started over a day before the last window
        (``now``'s day); returns how many. One filtered delete over the collection."""
        cutoff = _window_start(now or self.clock(), DAY) - int(DAY.total_seconds())
        with pymongo.timeout(SWEEP_SECONDS):
            return self.collection.delete_many({"window": {"$lt": cutoff}}).deleted_count

    def _sweep_if_due(self) -> None:
        with self._sweep_lock:
            if time.monotonic() < self._next_sweep:
                return
            self._next_sweep = time.monotonic() + self.sweep_every.total_seconds()
        if self.background:
            threading.Thread(target=self._sweep_logged, name="rate-limit-sweep", daemon=True).start()
        else:
            self._sweep_logged()

    def _sweep_logged(self) -> None:
        try:
            self.sweep()
        except PyMongoError as exc:
            log.warning("expired rate-limit counters not swept; next time", extra={"error": repr(exc)})

    def take(self, limit: Limit, key: str) -> None:
        """Count one event for ``key`` under ``limit``, or raise ``RateLimited`` (nothing counted)."""
        self._sweep_if_due()
        now = self.clock()
        start = _window_start(now, limit.window)
        doc_id = f"{limit.name}:{key}"
        for _ in range(8):
            if self.collection.update_one({"_id": doc_id, "window": start, "n": {"$lt": limit.count}}, {"$inc": {"n": 1}}).modified_count:
                return
            if self.collection.update_one({"_id": doc_id, "window": {"$lt": start}}, {"$set": {"window": start, "n": 1}}).modified_count:
                return
            doc = self.collection.find_one({"_id": doc_id})
            if doc is None:
                if limit.count < 1:
                    break
                try:
                    self.collection.insert_one({"_id": doc_id, "window": start, "n": 1})
                    return
                except DuplicateKeyError:
                    continue
            if doc.get("window") == start and doc.get("n", 0) >= limit.count:
                break
        raise RateLimited(limit, _retry_after(now, start, limit.window))


def client_address(forwarded_for: str | None, remote_addr: str | None, trusted_hops: int = 0) -> str:
    """The caller's address: the peer's, or, behind ``trusted_hops`` proxies that append to
    ``X-Forwarded-For``, the entry that many places from its end (what a client writes
    there itself is never trusted beyond that)."""
    route = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()] if trusted_hops else []
    route.append(remote_addr or "unknown")
    return route[max(0, len(route) - 1 - trusted_hops)]


def _window_start(now: datetime, window: timedelta) -> int:
    seconds = int(window.total_seconds())
    return int(now.timestamp()) // seconds * seconds


def _retry_after(now: datetime, start: int, window: timedelta) -> int:
    return max(1, math.ceil(start + window.total_seconds() - now.timestamp()))


def _describe(window: timedelta) -> str:
    return {HOUR: "hour", DAY: "day"}.get(window, f"{int(window.total_seconds())} s")
