"""How up to date a service's read model is, for clients that write upstream and read here.

Two questions, both answered from what the service's consumer group has done:

- ``positions``: per topic and partition it consumes, the group's committed offset
  (``consumed``) against the partition's end (``end``), and how many events are still to
  be handled (``behind``); ``up_to_date`` when nothing is. Offsets as Kafka counts them
  (``shared/kafka_lag.py`` asks Kafka, as ``bsm ops lag`` does).
- ``seen``: whether the events a write published (their ids, which bulk endpoints report
  per item, see ``shared/bulk.py``) have been handled here: the consumer records every
  handled event id in its ledger (``shared/consumer.py``), read by ``_id``. A client may
  wait up to ``MAX_WAIT_SECONDS`` for them instead of polling (less where
  ``BSM_FRESHNESS_MAX_WAIT_SECONDS`` says so). A wait holds one of the API's threads, so
  each process lets at most ``MAX_WAITERS`` requests wait at once
  (``BSM_FRESHNESS_MAX_WAITERS``); another asking to wait meanwhile is answered at once,
  marked ``busy``, with ``Retry-After``, and the API's other threads stay free for
  everyone else's requests.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, request
from kafka.errors import KafkaError
from marshmallow import Schema, fields, validate
from pymongo.database import Database

from shared.auth import OPERATOR, ORGANISER, PARTICIPANT
from shared.consumer import PROCESSED
from shared.http import Problem, require
from shared.kafka_lag import lag_of
from shared.openapi import documented
from shared.text import SingleLine

MAX_WAIT_SECONDS = 20
MAX_WAITERS = 2
"""Requests one API process lets wait at once: half of ``make run``'s 4 threads."""
MAX_EVENT_IDS = 200
POLL_SECONDS = 0.25


@dataclass
class Freshness:
    """The consumer group ``group`` (as the service names it, without the topic prefix) of
    a service reading ``topics`` (full names) from ``bootstrap`` with prefix ``prefix``."""

    db: Database
    bootstrap: str
    prefix: str
    group: str
    topics: list[str]
    max_wait_seconds: float = MAX_WAIT_SECONDS
    max_waiters: int = MAX_WAITERS
    _waiting: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self):
        self._waiting = threading.BoundedSemaphore(max(self.max_waiters, 0))

    @classmethod
    def of(cls, settings, db: Database, group: str, topics: list[str]) -> "Freshness":
        """The freshness of ``settings``' service consuming ``topics`` (logical names) as
        ``group``; ``BSM_FRESHNESS_MAX_WAIT_SECONDS`` and ``BSM_FRESHNESS_MAX_WAITERS``
        (0: nobody waits) from its settings."""
        max_wait = min(float(settings.extra.get("BSM_FRESHNESS_MAX_WAIT_SECONDS", MAX_WAIT_SECONDS)), MAX_WAIT_SECONDS)
        waiters = int(settings.extra.get("BSM_FRESHNESS_MAX_WAITERS", MAX_WAITERS))
        return cls(db, settings.kafka_bootstrap_servers, settings.topic_prefix, group, [settings.topic(t) for t in topics], max_wait, waiters)

    def positions(self, topic: str | None = None) -> dict[str, Any]:
        """``{"group", "partitions": [{topic, partition, consumed, end, behind}], "behind",
        "up_to_date"}`` for every topic read, or only ``topic``; ``behind`` is None for a
        partition Kafka cannot say about now. Raises ``KafkaError`` when Kafka cannot be asked."""
        group = f"{self.prefix}{self.group}"
        rows = [r for r in lag_of(self.bootstrap, group, {group: self.topics}, timeout_ms=2000) if r["group"] == group]
        partitions = [
            {"topic": r["topic"], "partition": r["partition"], "consumed": r["committed"] or 0, "end": r["end"], "behind": r["lag"]}
            for r in rows if topic in (None, r["topic"])
        ]
        known = [p["behind"] for p in partitions if p["behind"] is not None]
        return {
            "group": self.group, "partitions": partitions, "behind": sum(known),
            "up_to_date": len(known) == len(partitions) and not any(known),
        }

    def seen(self, event_ids: list[str], wait_seconds: float = 0, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
        """Which of ``event_ids`` this group has handled; waits up to ``wait_seconds`` for
        the rest, unless ``max_waiters`` requests are waiting already (then ``busy``).
        ``{"seen": [...], "missing": [...], "up_to_date": not missing, "busy": bool}``."""
        missing = self._missing(list(dict.fromkeys(event_ids)))
        busy = False
        if missing and wait_seconds > 0:
            if self._waiting.acquire(blocking=False):
                try:
                    missing = self._wait_for(missing, time.monotonic() + wait_seconds, sleep)
                finally:
                    self._waiting.release()
            else:
                busy = True
        return {"seen": [i for i in dict.fromkeys(event_ids) if i not in missing], "missing": missing, "up_to_date": not missing, "busy": busy}

    def _missing(self, event_ids: list[str]) -> list[str]:
        ledger = self.db[PROCESSED]
        return [i for i in event_ids if ledger.find_one({"_id": f"{self.group}:{i}"}, {"_id": 1}) is None]

    def _wait_for(self, missing: list[str], deadline: float, sleep: Callable[[float], None]) -> list[str]:
        while missing and time.monotonic() < deadline:
            sleep(POLL_SECONDS)
            missing = self._missing(missing)
        return missing


class PartitionOut(Schema):
    topic = fields.Str()
    partition = fields.Int()
    consumed = fields.Int(metadata={"description": "The consumer group's committed offset (the next event it will handle)"})
    end = fields.Int(allow_none=True, metadata={"description": "The partition's end offset"})
    behind = fields.Int(allow_none=True, metadata={"description": "Events still to handle (null: Kafka cannot say now)"})


class PositionsOut(Schema):
    group = fields.Str()
    partitions = fields.List(fields.Nested(PartitionOut))
    behind = fields.Int()
    up_to_date = fields.Bool()


class EventsSeenOut(Schema):
    seen = fields.List(fields.Str())
    missing = fields.List(fields.Str())
    up_to_date = fields.Bool(metadata={"description": "Every event asked about was handled"})
    busy = fields.Bool(metadata={"description": "The service was already holding as many waiting requests as it lets wait, so this one "
                                                "answered at once without waiting: retry after Retry-After seconds"})


class EventsQuery(Schema):
    id = fields.List(SingleLine(validate=validate.Length(min=1, max=100)), required=True, validate=validate.Length(min=1, max=MAX_EVENT_IDS),
                     metadata={"description": "An event id (repeat the parameter for more)"})
    wait = fields.Float(load_default=0, validate=validate.Range(min=0, max=MAX_WAIT_SECONDS), metadata={"description": "Seconds to wait for them"})


def freshness_blueprint(freshness: Freshness) -> Blueprint:
    """``GET /v1/freshness`` (positions) and ``GET /v1/freshness/events?id=...&wait=``
    (events seen), for any authenticated caller: they say nothing about anyone's data."""
    bp = Blueprint("freshness", __name__)
    roles = (PARTICIPANT, ORGANISER, OPERATOR)

    @bp.get("/v1/freshness")
    @documented("How far this service has consumed each upstream topic: consumed offset against end offset per partition",
                tags=("freshness",), roles=roles, response=PositionsOut, errors=())
    def positions():
        require(*roles)
        try:
            return freshness.positions()
        except KafkaError as exc:
            raise Problem(503, "Service Unavailable", f"Kafka cannot say now: {type(exc).__name__}.") from None

    @bp.get("/v1/freshness/events")
    @documented(f"Whether this service has handled the events a write published (its X-Event-Ids or a bulk item's event_ids; "
                f"?id= repeated or comma-separated as X-Event-Ids gives them, up to {MAX_EVENT_IDS}; ?wait= up to {MAX_WAIT_SECONDS} s waits for them)",
                tags=("freshness",), roles=roles, query=EventsQuery, response=EventsSeenOut, errors=())
    def events():
        require(*roles)
        ids = [part.strip() for given in request.args.getlist("id") for part in given.split(",") if part.strip()]
        asked = EventsQuery().load({"id": ids, "wait": request.args.get("wait", "0")})
        answer = freshness.seen(asked["id"], min(asked["wait"], freshness.max_wait_seconds))
        return (answer, 200, {"Retry-After": "1"}) if answer["busy"] else answer

    return bp
