"""Every HTTP request gets a bounded time with the database, and an API sheds load while
its database is not answering.

A request's database work runs under ``pymongo.timeout(budget)`` (client-side operation
timeout, the MongoDB drivers' CSOT: server selection, pool checkout and every reply count
against one deadline; the server is sent the rest as ``maxTimeMS``). Past the budget
pymongo raises, and the API answers 503 problem+json with Retry-After (shared/http.py)
instead of leaving the client waiting while the database works through a backlog. The
budget is ``BSM_REQUEST_DB_SECONDS`` (default 1.5 s); views that do a long job in one
request (building or publishing a schedule, a synchronous import, a list or report over
history) get their own in the service's ``DATABASE_BUDGETS`` (its app.py), kept under
gunicorn's 30 s worker timeout.

When a request finds the database unreachable or too slow, the process opens a breaker
for ``Breaker.open_seconds``: requests arriving meanwhile get the 503 at once instead of
each waiting out its budget, so queued requests (and the health probes behind them) are
answered quickly; the next request after that tries the database again.
"""
from __future__ import annotations

import contextvars
import threading
import time
from typing import Callable, Mapping, TypeVar

import pymongo
from pymongo.errors import ConnectionFailure, PyMongoError

from shared import correlation

DEFAULT_SECONDS = 1.5
LONGEST_SECONDS = 25.0
T = TypeVar("T")


def budget_of(endpoint: str | None, budgets: Mapping[str, float], default: float) -> float:
    """The database budget in seconds of the view named ``endpoint`` ("blueprint.function"):
    its entry in ``budgets`` (capped at ``LONGEST_SECONDS``) or ``default``."""
    return min(budgets.get(endpoint or "", default), LONGEST_SECONDS)


def bounded(seconds: float):
    """Context manager: database operations inside share a deadline ``seconds`` from now."""
    return pymongo.timeout(seconds)


def database_away(error: PyMongoError) -> bool:
    """True if ``error`` says the database could not be reached or did not answer in time
    (as opposed to answering with an error)."""
    return isinstance(error, ConnectionFailure) or bool(getattr(error, "timeout", False))


class Breaker:
    """Per-process: open for ``open_seconds`` after the database was found away."""

    def __init__(self, open_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.open_seconds = open_seconds
        self.clock = clock
        self._until = 0.0
        self._lock = threading.Lock()

    def trip(self) -> None:
        with self._lock:
            self._until = max(self._until, self.clock() + self.open_seconds)

    def is_open(self) -> bool:
        return self.clock() < self._until


def outside_budget(cleanup: Callable[[], T], seconds: float = 1.0) -> T:
    """Run ``cleanup`` (undoing a failed request's first writes) with ``seconds`` of its own
    instead of what is left of the request's deadline, which may be spent already: outside
    the request's ``bounded`` block, keeping its correlation id."""
    ids = (correlation.correlation_id(), correlation.causation_id())

    def run() -> T:
        with correlation.correlated(*ids), pymongo.timeout(seconds):
            return cleanup()

    return contextvars.Context().run(run)
