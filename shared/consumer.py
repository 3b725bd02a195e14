"""The consumer loop every service uses.

- Offsets are committed only after the batch's records are handled (at-least-once).
- A handled event id is recorded per consumer group, so a redelivery is skipped; handlers
  are also written to be idempotent, since a crash can fall between effect and record.
- Transient failures (Mongo or Kafka away) are retried with backoff, without limit and
  without moving on, so an outage delays messages but loses none.
- Anything else that fails ``max_attempts`` times, and any record that is not a valid
  event, goes to the group's dead-letter topic with the reason in headers; the loop goes on.
"""
from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from marshmallow import ValidationError
from pymongo.database import Database
from pymongo.errors import AutoReconnect, BulkWriteError, ConnectionFailure

from shared import contracts, correlation, metrics
from shared.envelope import Event, InvalidEnvelope, from_kafka

log = logging.getLogger(__name__)

Handler = Callable[[Event], None]
TRANSIENT = (AutoReconnect, ConnectionFailure, KafkaError)
PROCESSED = "processed_events"
_UNKNOWN_SEEN: set[tuple[str, str]] = set()
_UNKNOWN_LOCK = threading.Lock()


class _Stopping(Exception):
    """Shutdown was asked for while a record was being retried."""


class PermanentError(Exception):
    """The event can never be handled as it is: dead-letter it at once."""


def dead_letter_topic(topic_prefix: str, group_id: str) -> str:
    return f"{topic_prefix}{group_id}.dlq"


@dataclass
class Outcome:
    status: str  # handled | duplicate | ignored | dead-lettered
    reason: str | None = None


class EventConsumer:
    def __init__(
        self,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        db: Database,
        group_id: str,
        handlers: dict[str, Handler],
        dlq_topic: str,
        max_attempts: int = 3,
        backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 10.0,
        service: str = "",
    ):
        self.consumer = consumer
        self.producer = producer
        self.ledger = db[PROCESSED]
        self.group_id = group_id
        self.handlers = handlers
        self.dlq_topic = dlq_topic
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.service = service

    def run(self, stop: threading.Event, poll_ms: int = 500) -> None:
        """Handle what each poll brings, a partition's records at a time: their ledger
        entries are written together (one insert for the batch) before the offset is
        committed. A crash before that redelivers the batch, which the idempotent handlers
        absorb, as they must for a crash between an effect and its ledger entry anyway."""
        log.info("consumer started", extra={"group": self.group_id, "dlq": self.dlq_topic})
        try:
            while not stop.is_set():
                for tp, records in self.consumer.poll(timeout_ms=poll_ms).items():
                    handled: dict[str, dict] = {}
                    try:
                        for record in records:
                            self.handle_record(record, stop, handled)
                    finally:
                        self._remember_all(list(handled.values()))
                    self._commit(tp, records[-1].offset + 1)
        except _Stopping:
            pass  # records handled but not committed are redelivered and skipped as duplicates
        log.info("consumer stopped", extra={"group": self.group_id})

    def handle_record(self, record, stop: threading.Event | None = None, handled: dict[str, dict] | None = None) -> Outcome:
        """Handle one record; its ledger entry is written at once, or added to ``handled``
        (ledger id -> entry) for the caller to write with the rest of its batch."""
        try:
            event = from_kafka(record.key, record.value, record.headers)
        except InvalidEnvelope as exc:
            return self._dead_letter(record, "invalid-envelope", str(exc))
        handler = self.handlers.get(event.type)
        if handler is None:
            self._note_unknown(event)
            return self._count(event, Outcome("ignored"))
        with correlation.correlated(event.correlation_id, event.id):
            return self._count(event, self._handle_with_retries(record, event, handler, stop or threading.Event(), handled))

    def _note_unknown(self, event: Event) -> None:
        """Log the first event of a type this group has no handler for (once per type and
        process); every one is counted as ``ignored`` in ``bsm_events_consumed_total``."""
        key = (self.group_id, event.type)
        with _UNKNOWN_LOCK:
            if key in _UNKNOWN_SEEN:
                return
            _UNKNOWN_SEEN.add(key)
        catalogued = _catalogued(event.type)
        level = logging.INFO if catalogued else logging.WARNING
        log.log(level, "event type without a handler ignored", extra={**self._describe(event), "catalogued": catalogued})

    def _count(self, event: Event, outcome: Outcome) -> Outcome:
        metrics.EVENTS_CONSUMED.labels(self.service, self.group_id, event.type, outcome.status).inc()
        return outcome

    def _handle_with_retries(self, record, event: Event, handler: Handler, stop: threading.Event, handled: dict[str, dict] | None) -> Outcome:
        attempt, backoff = 0, self.backoff_seconds
        ledger_id = self._ledger_id(event)
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                if (handled is not None and ledger_id in handled) or self.ledger.find_one({"_id": ledger_id}, {"_id": 1}):
                    log.info("duplicate skipped", extra=self._describe(event))
                    return Outcome("duplicate")
                handler(event)
                entry = {"_id": ledger_id, "type": event.type, "at": _now()}
                if handled is None:
                    self._remember_all([entry])
                else:
                    handled[ledger_id] = entry
                metrics.HANDLING_SECONDS.labels(self.service, self.group_id, event.type).observe(time.monotonic() - started)
                log.info("event handled", extra={**self._describe(event), "ms": _ms(started)})
                return Outcome("handled")
            except (PermanentError, ValidationError, InvalidEnvelope) as exc:
                return self._dead_letter(record, "rejected", _reason(exc), event)
            except TRANSIENT as exc:
                log.warning("transient failure, retrying", extra={**self._describe(event), "error": repr(exc)})
            except Exception as exc:  # a bug or bad data we did not foresee
                log.exception("handler failed", extra={**self._describe(event), "attempt": attempt})
                if attempt >= self.max_attempts:
                    return self._dead_letter(record, "handler-failed", _reason(exc), event)
            metrics.RETRIES.labels(self.service, self.group_id, event.type).inc()
            if stop.wait(backoff):
                raise _Stopping()
            backoff = min(self.max_backoff_seconds, backoff * 2)

    def _remember_all(self, entries: list[dict]) -> None:
        """Record handled events in the ledger; ids already there (a redelivery) are fine.
        Transient failures are retried: an entry lost here only costs a redelivered event
        being handled again, but the batch's offset is not committed until this returns."""
        if not entries:
            return
        backoff = self.backoff_seconds
        while True:
            try:
                self.ledger.insert_many(entries, ordered=False)
                return
            except BulkWriteError as exc:
                if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
                    raise
                return
            except TRANSIENT as exc:
                log.warning("ledger write failed, retrying", extra={"group": self.group_id, "error": repr(exc)})
                time.sleep(backoff)
                backoff = min(self.max_backoff_seconds, backoff * 2)

    def _dead_letter(self, record, reason: str, detail: str, event: Event | None = None) -> Outcome:
        headers = list(record.headers or []) + [
            ("dlq_reason", reason.encode()),
            ("dlq_error", detail[:2000].encode()),
            ("dlq_origin_topic", record.topic.encode()),
            ("dlq_origin_partition", str(record.partition).encode()),
            ("dlq_origin_offset", str(record.offset).encode()),
            ("dlq_group", self.group_id.encode()),
            ("dlq_failed_at", _now().isoformat().encode()),
        ]
        self.producer.send(self.dlq_topic, key=record.key, value=record.value, headers=headers).get(timeout=30)
        metrics.DEAD_LETTERED.labels(self.service, self.group_id, reason).inc()
        extra = self._describe(event) if event else {"topic": record.topic, "offset": record.offset}
        log.error("dead-lettered", extra={**extra, "reason": reason, "error": detail})
        return Outcome("dead-lettered", detail)

    def _commit(self, tp: TopicPartition, next_offset: int) -> None:
        try:
            self.consumer.commit({tp: OffsetAndMetadata(next_offset, "", -1)})
        except CommitFailedError:
            log.warning("commit failed after a rebalance; records will be redelivered")

    def _ledger_id(self, event: Event) -> str:
        return f"{self.group_id}:{event.id}"

    def _describe(self, event: Event) -> dict[str, Any]:
        return {"event_id": event.id, "event_type": event.type, "subject": event.subject, "group": self.group_id}


def _catalogued(event_type: str) -> bool:
    """Whether ``event_type`` is in the event catalogue (known to the platform, not to this group)."""
    try:
        contracts.contract_for(event_type)
        return True
    except contracts.UnknownEventType:
        return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return f"invalid data: {exc.messages}"
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 2)


def _now() -> datetime:
    return datetime.now(timezone.utc)
