"""The correlation and causation ids of the work in hand, carried in a context variable.

HTTP adapters set them from request headers, consumers from the event being handled;
logging and every new event read them from here, so nobody passes them by hand.
"""
from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from typing import Iterator

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def correlation_id() -> str | None:
    return _correlation_id.get()


def causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def correlated(correlation: str | None, causation: str | None = None) -> Iterator[str]:
    """Run a block under a correlation id (a fresh one when none is given)."""
    cid = correlation or new_id()
    tokens = (_correlation_id.set(cid), _causation_id.set(causation))
    try:
        yield cid
    finally:
        _correlation_id.reset(tokens[0])
        _causation_id.reset(tokens[1])
