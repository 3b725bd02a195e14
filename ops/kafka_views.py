"""What operators read from Kafka: topics, consumer lag, records, dead letters, replays."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Mapping

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetSpec

from shared.envelope import InvalidEnvelope, from_kafka
from shared.kafka_lag import Unknown, admin_client, consumer_lag, offset_or_zero, partition_offsets, partitions_of

__all__ = ["Kafka", "Unknown", "describe", "original_headers", "partition_offsets", "partitions_of"]

DLQ_HEADERS = ("dlq_reason", "dlq_error", "dlq_origin_topic", "dlq_origin_partition", "dlq_origin_offset", "dlq_group", "dlq_failed_at")


@dataclass
class Kafka:
    """``bootstrap``: the brokers; ``timeout_ms``: how long a client waits to reach them
    before giving up (an operator would rather hear that Kafka is away than wait)."""

    bootstrap: str
    timeout_ms: int = 5000

    def admin(self) -> KafkaAdminClient:
        return admin_client(self.bootstrap, self.timeout_ms)

    def consumer(self, **options) -> KafkaConsumer:
        return KafkaConsumer(bootstrap_servers=self.bootstrap, client_id="bsm-ops", enable_auto_commit=False,
                             bootstrap_timeout_ms=self.timeout_ms, **options)

    def topics(self, prefix: str, sample_seconds: float = 1.0) -> list[dict[str, Any]]:
        """Every topic named ``<prefix>...``: partitions, messages held, messages per second
        over ``sample_seconds`` (None for 0) and mean record size. A partition whose
        offsets Kafka cannot give now (no leader yet) counts as empty."""
        admin = self.admin()
        try:
            names = sorted(t for t in admin.list_topics() if t.startswith(prefix))
            parts = [tp for tps in partitions_of(admin, names).values() for tp in tps]
            first, before = partition_offsets(admin, parts, OffsetSpec.EARLIEST), partition_offsets(admin, parts, OffsetSpec.LATEST)
            if sample_seconds:
                time.sleep(sample_seconds)
            after = partition_offsets(admin, parts, OffsetSpec.LATEST) if sample_seconds else before
        finally:
            admin.close()
        rows = []
        for name in names:
            mine = [tp for tp in parts if tp.topic == name]
            messages = sum(offset_or_zero(before, tp) - offset_or_zero(first, tp) for tp in mine)
            rows.append({
                "topic": name,
                "partitions": len(mine),
                "messages": messages,
                "per_second": round(sum(offset_or_zero(after, tp) - offset_or_zero(before, tp) for tp in mine) / sample_seconds, 2) if sample_seconds else None,
                "avg_bytes": self._average_size(name) if sample_seconds and messages else None,
            })
        return rows

    def _average_size(self, topic: str, sample: int = 50) -> int:
        """Mean size (key, value and headers) of up to ``sample`` records of the topic."""
        sizes = [len(r.key or b"") + len(r.value or b"") + sum(len(k) + len(v) for k, v in r.headers or []) for r in self.records(topic, sample, 2.0)]
        return round(sum(sizes) / len(sizes)) if sizes else 0

    def lag(self, prefix: str, subscriptions: Mapping[str, Iterable[str]] | None = None) -> list[dict[str, Any]]:
        """Each consumer group's lag per partition (``shared.kafka_lag.consumer_lag``)."""
        admin = self.admin()
        try:
            return consumer_lag(admin, prefix, subscriptions)
        finally:
            admin.close()

    def records(self, topic: str, limit: int = 100, timeout: float = 3.0) -> Iterator[Any]:
        """The records of ``topic`` from the beginning (at most ``limit``), without joining a group."""
        admin = self.admin()
        try:
            parts = partitions_of(admin, [topic]).get(topic, [])
            ends = partition_offsets(admin, parts, OffsetSpec.LATEST)
        finally:
            admin.close()
        if not parts:
            return
        consumer = self.consumer(auto_offset_reset="earliest", group_id=None)
        try:
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            seen, deadline = 0, time.monotonic() + timeout
            while seen < limit and time.monotonic() < deadline and any(consumer.position(tp) < offset_or_zero(ends, tp) for tp in parts):
                for batch in consumer.poll(timeout_ms=200).values():
                    for record in batch:
                        seen += 1
                        yield record
        finally:
            consumer.close()

    def republish(self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> None:
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, client_id="bsm-ops-replay", acks="all")
        try:
            producer.send(topic, key=key, value=value, headers=headers).get(timeout=30)
        finally:
            producer.close()


def describe(record) -> dict[str, Any]:
    """A record as operators read it: the event's attributes and data, or why it is not one."""
    headers = {k: v.decode(errors="replace") for k, v in record.headers or []}
    row: dict[str, Any] = {"topic": record.topic, "partition": record.partition, "offset": record.offset,
                           "timestamp": datetime.fromtimestamp(record.timestamp / 1000, timezone.utc).isoformat()}
    try:
        event = from_kafka(record.key, record.value, record.headers)
        row.update({"id": event.id, "type": event.type, "subject": event.subject, "correlation_id": event.correlation_id,
                    "causation_id": event.causation_id, "data": event.data})
    except InvalidEnvelope as exc:
        row.update({"invalid": str(exc), "value": (record.value or b"")[:500].decode(errors="replace")})
    dlq = {k: headers[k] for k in DLQ_HEADERS if k in headers}
    if dlq:
        row["dead_letter"] = dlq
    return row


def original_headers(record) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in record.headers or [] if k not in DLQ_HEADERS] + [("bsm_replayed", uuid.uuid4().hex.encode())]
