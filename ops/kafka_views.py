"""What operators read from Kafka: topics, consumer lag, records, dead letters, replays."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Mapping

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetSpec, TopicPartition
from kafka.errors import KafkaError

from shared.envelope import InvalidEnvelope, from_kafka

DLQ_HEADERS = ("dlq_reason", "dlq_error", "dlq_origin_topic", "dlq_origin_partition", "dlq_origin_offset", "dlq_group", "dlq_failed_at")


@dataclass
class Kafka:
    """``bootstrap``: the brokers; ``timeout_ms``: how long a client waits to reach them
    before giving up (an operator would rather hear that Kafka is away than wait)."""

    bootstrap: str
    timeout_ms: int = 5000

    def admin(self) -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="bsm-ops", bootstrap_timeout_ms=self.timeout_ms)

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
            messages = sum(_count(before, tp) - _count(first, tp) for tp in mine)
            rows.append({
                "topic": name,
                "partitions": len(mine),
                "messages": messages,
                "per_second": round(sum(_count(after, tp) - _count(before, tp) for tp in mine) / sample_seconds, 2) if sample_seconds else None,
                "avg_bytes": self._average_size(name) if sample_seconds and messages else None,
            })
        return rows

    def _average_size(self, topic: str, sample: int = 50) -> int:
        """Mean size (key, value and headers) of up to ``sample`` records of the topic."""
        sizes = [len(r.key or b"") + len(r.value or b"") + sum(len(k) + len(v) for k, v in r.headers or []) for r in self.records(topic, sample, 2.0)]
        return round(sum(sizes) / len(sizes)) if sizes else 0

    def lag(self, prefix: str, subscriptions: Mapping[str, Iterable[str]] | None = None) -> list[dict[str, Any]]:
        """Each consumer group's lag per partition, for the groups named ``<prefix>...`` and
        those in ``subscriptions`` (group id -> the topics it reads, whether or not it has
        started). A group's partitions are those of every topic it has committed on, its
        members subscribe to, or ``subscriptions`` names; topics are looked up by name at
        each call, so one created a moment ago is there.

        Rows ``{group, topic, partition, committed, end, lag}``, offsets as Kafka counts
        them. ``committed`` is None where the group has committed nothing yet: it will
        start from the beginning of the log (the platform's consumers reset to
        ``earliest``), so ``lag`` counts every message still held. ``end`` and ``lag`` are
        None, and ``error`` says why, for a partition Kafka cannot give offsets for now (a
        partition without a leader, a topic being created). Raises ``KafkaError`` when
        Kafka cannot be asked at all."""
        wanted = {group: set(topics) for group, topics in (subscriptions or {}).items()}
        admin = self.admin()
        try:
            listed = sorted(g for g in (_group_id(x) for x in admin.list_groups()) if str(g).startswith(prefix))
            groups = sorted(set(listed) | set(wanted))
            committed = {group: _committed(admin, group) if group in listed else {} for group in groups}
            subscribed = _subscribed(admin, listed)
            reads = {g: {tp.topic for tp in _known(committed[g]) or {}} | subscribed.get(g, set()) | wanted.get(g, set()) for g in groups}
            partitions = partitions_of(admin, sorted(set().union(*reads.values())))
            parts = [tp for tps in partitions.values() for tp in tps]
            first, end = partition_offsets(admin, parts, OffsetSpec.EARLIEST), partition_offsets(admin, parts, OffsetSpec.LATEST)
        finally:
            admin.close()
        rows = []
        for group in groups:
            for topic in sorted(reads[group]):
                for tp in partitions.get(topic, []):
                    offset = committed[group] if isinstance(committed[group], Unknown) else committed[group].get(tp)
                    row = {"group": group, "topic": topic, "partition": tp.partition, "committed": _known(offset), "end": None, "lag": None}
                    start = offset if offset is not None else first.get(tp)
                    if isinstance(end.get(tp), int) and isinstance(start, int):
                        row.update(end=end[tp], lag=max(0, end[tp] - start))
                    else:
                        row["error"] = next((str(o) for o in (end.get(tp), start) if isinstance(o, Unknown)), "no offsets from Kafka")
                    rows.append(row)
        return rows

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
            while seen < limit and time.monotonic() < deadline and any(consumer.position(tp) < _count(ends, tp) for tp in parts):
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


class Unknown(str):
    """Why Kafka gave no offset for a partition (in place of the offset)."""


def partitions_of(admin: KafkaAdminClient, topics: list[str]) -> dict[str, list[TopicPartition]]:
    """The partitions of each of ``topics`` that exists, from metadata asked for by name
    (never from what a client happened to have seen)."""
    if not topics:
        return {}
    found = {}
    for topic in admin.describe_topics(topics):
        if not topic.get("error_code"):
            found[topic["name"]] = [TopicPartition(topic["name"], p["partition_index"]) for p in sorted(topic["partitions"], key=lambda p: p["partition_index"])]
    return found


def partition_offsets(admin: KafkaAdminClient, parts: list[TopicPartition], spec: OffsetSpec) -> dict[TopicPartition, int | Unknown]:
    """The ``spec`` offset (``OffsetSpec.EARLIEST`` or ``LATEST``) of every partition in
    ``parts``: asked of all at once, and if that fails topic by topic, so a partition
    Kafka cannot answer for now gets an ``Unknown`` with the reason instead of failing the
    rest."""
    if not parts:
        return {}
    try:
        return {tp: found.offset for tp, found in admin.list_partition_offsets(dict.fromkeys(parts, spec)).items()}
    except KafkaError:
        pass
    offsets: dict[TopicPartition, int | Unknown] = {}
    for topic in dict.fromkeys(tp.topic for tp in parts):
        mine = [tp for tp in parts if tp.topic == topic]
        try:
            offsets.update({tp: found.offset for tp, found in admin.list_partition_offsets(dict.fromkeys(mine, spec)).items()})
        except KafkaError as exc:
            offsets.update(dict.fromkeys(mine, Unknown(f"no offsets from Kafka: {type(exc).__name__}: {exc}")))
    return offsets


def _count(offsets: Mapping[TopicPartition, int | Unknown], tp: TopicPartition) -> int:
    """The offset, or 0 where it is unknown."""
    offset = offsets.get(tp)
    return offset if isinstance(offset, int) else 0


def _known(value: Any) -> Any:
    """``value``, or None where it is ``Unknown``."""
    return None if isinstance(value, Unknown) else value


def _committed(admin: KafkaAdminClient, group: str) -> dict[TopicPartition, int] | Unknown:
    """The group's committed offsets (a partition it never committed on is left out), or
    ``Unknown`` with the reason when its coordinator cannot say now."""
    try:
        found = admin.list_group_offsets(group).get(group, {})
    except KafkaError as exc:
        return Unknown(f"committed offsets unavailable: {type(exc).__name__}: {exc}")
    offsets = {tp: getattr(meta, "offset", meta) for tp, meta in found.items()}
    return {tp: offset for tp, offset in offsets.items() if offset >= 0}


def _subscribed(admin: KafkaAdminClient, groups: list[str]) -> dict[str, set[str]]:
    """The topics each group's current members subscribe to (none known while the
    groups' coordinator cannot say)."""
    if not groups:
        return {}
    try:
        described = admin.describe_groups(groups)
    except KafkaError:
        return {}
    topics: dict[str, set[str]] = {}
    for group, description in described.items():
        for member in description.get("members") or []:
            metadata = member.get("member_metadata")
            if isinstance(metadata, dict):
                topics.setdefault(group, set()).update(metadata.get("topics") or [])
    return topics


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
