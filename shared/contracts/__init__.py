"""The event catalogue: every event type the platform publishes, its topic and its schema.

Producers build event data through ``data_for`` (strict: an unknown or missing field is a
bug, refused before it leaves the service). Consumers read it through ``read_data``
(lenient: unknown fields are ignored, so adding a field never breaks a consumer). A change
that removes or retypes a field gets a new type version (``...v2``) published beside the old.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema

from shared.envelope import Event


@dataclass(frozen=True)
class Contract:
    type: str
    topic: str
    summary: str
    schema: type[Schema]

    @property
    def producer(self) -> str:
        return self.topic.split(".", 1)[0]


CATALOGUE: dict[str, Contract] = {}


class UnknownEventType(KeyError):
    pass


def register(*contracts: Contract) -> None:
    for contract in contracts:
        CATALOGUE[contract.type] = contract


def contract_for(event_type: str) -> Contract:
    _load_all()
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def data_for(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate ``payload`` strictly against the contract and return JSON-ready data."""
    schema = _schema(event_type, RAISE)
    return schema.dump(schema.load(payload))


def read_data(event: Event) -> dict[str, Any]:
    """The event's data as the consumer's schema sees it (unknown fields dropped)."""
    return _schema(event.type, EXCLUDE).load(event.data)


@functools.lru_cache(maxsize=None)
def _schema(event_type: str, unknown: str) -> Schema:
    """One schema instance per type and mode: building one costs more than using it."""
    return contract_for(event_type).schema(unknown=unknown)


def topics() -> list[str]:
    _load_all()
    return sorted({c.topic for c in CATALOGUE.values()})


def topics_of(service: str) -> list[str]:
    """The logical topics ``service`` publishes to."""
    return [t for t in topics() if t.split(".", 1)[0] == service]


def _load_all() -> None:
    from shared.contracts import matching, notifications, registration  # noqa: F401  (they register)
