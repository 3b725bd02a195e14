"""What operators read from Kafka: topics, consumer lag, records, dead letters, replays."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from shared.envelope import InvalidEnvelope, from_kafka

DLQ_HEADERS = ("dlq_reason", "dlq_error", "dlq_origin_topic", "dlq_origin_partition", "dlq_origin_offset", "dlq_group", "dlq_failed_at")


@dataclass
class Kafka:
    bootstrap: str

    def admin(self) -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="bsm-ops")

    def consumer(self, **options) -> KafkaConsumer:
        return KafkaConsumer(bootstrap_servers=self.bootstrap, client_id="bsm-ops", enable_auto_commit=False, **options)

    def topics(self, prefix: str, sample_seconds: float = 1.0) -> list[dict[str, Any]]:
        consumer = self.consumer()
        try:
            names = sorted(t for t in consumer.topics() if t.startswith(prefix))
            parts = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or [])]
            first, before = consumer.beginning_offsets(parts), consumer.end_offsets(parts)
            time.sleep(sample_seconds)
            after = consumer.end_offsets(parts)
        finally:
            consumer.close()
        rows = []
        for name in names:
            mine = [tp for tp in parts if tp.topic == name]
            messages = sum(before[tp] - first[tp] for tp in mine)
            rows.append({
                "topic": name,
                "partitions": len(mine),
                "messages": messages,
                "per_second": round(sum(after[tp] - before[tp] for tp in mine) / sample_seconds, 2) if sample_seconds else None,
                "avg_bytes": self._average_size(name) if sample_seconds and messages else None,
            })
        return rows

    def _average_size(self, topic: str, sample: int = 50) -> int:
        """Mean size (key, value and headers) of up to ``sample`` records of the topic."""
        sizes = [len(r.key or b"") + len(r.value or b"") + sum(len(k) + len(v) for k, v in r.headers or []) for r in self.records(topic, sample, 2.0)]
        return round(sum(sizes) / len(sizes)) if sizes else 0

    def lag(self, prefix: str) -> list[dict[str, Any]]:
        admin, consumer = self.admin(), self.consumer()
        try:
            groups = sorted(_group_id(g) for g in admin.list_groups())
            rows = []
            for group in groups:
                if not str(group).startswith(prefix):
                    continue
                committed = admin.list_group_offsets(group).get(group, {})
                ends = consumer.end_offsets(list(committed))
                for tp, meta in sorted(committed.items(), key=lambda kv: (kv[0].topic, kv[0].partition)):
                    offset = meta.offset if hasattr(meta, "offset") else meta
                    rows.append({"group": group, "topic": tp.topic, "partition": tp.partition, "committed": offset, "end": ends[tp], "lag": ends[tp] - offset})
            return rows
        finally:
            admin.close()
            consumer.close()

    def records(self, topic: str, limit: int = 100, timeout: float = 3.0) -> Iterator[Any]:
        """The records of ``topic`` from the beginning (at most ``limit``), without joining a group."""
        consumer = self.consumer(auto_offset_reset="earliest", group_id=None)
        try:
            parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            ends = consumer.end_offsets(parts)
            seen, deadline = 0, time.monotonic() + timeout
            while seen < limit and time.monotonic() < deadline and any(consumer.position(tp) < ends[tp] for tp in parts):
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


def _group_id(group: Any) -> str:
    if isinstance(group, dict):
        return group.get("group_id") or group.get("group") or group.get("name")
    return group[0] if isinstance(group, tuple) else str(group)


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
