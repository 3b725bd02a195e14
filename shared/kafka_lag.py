"""How far consumer groups have read: committed offsets against the ends of the partitions.

Kept in ``shared`` because a service answers it about itself (``shared/freshness.py``) as
operators ask it of every group (``bsm ops lag``, ``ops/kafka_views.py``). Offsets are
asked of Kafka's admin API, per partition, by topic name at each call, so a topic created
a moment ago is there and a partition Kafka cannot answer for now gets an ``Unknown``
with the reason instead of failing the rest.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from kafka import KafkaAdminClient, OffsetSpec, TopicPartition
from kafka.errors import KafkaError


class Unknown(str):
    """Why Kafka gave no offset for a partition (in place of the offset)."""


def admin_client(bootstrap: str, timeout_ms: int, client_id: str = "bsm-ops") -> KafkaAdminClient:
    """An admin client of ``bootstrap`` that gives up after ``timeout_ms`` if Kafka is away."""
    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id, bootstrap_timeout_ms=timeout_ms)


def consumer_lag(admin: KafkaAdminClient, prefix: str, subscriptions: Mapping[str, Iterable[str]] | None = None) -> list[dict[str, Any]]:
    """Each consumer group's lag per partition, for the groups named ``<prefix>...`` and
    those in ``subscriptions`` (group id -> the topics it reads, whether or not it has
    started). A group's partitions are those of every topic it has committed on, its
    members subscribe to, or ``subscriptions`` names.

    Rows ``{group, topic, partition, committed, end, lag}``, offsets as Kafka counts
    them. ``committed`` is None where the group has committed nothing yet: it will start
    from the beginning of the log (the platform's consumers reset to ``earliest``), so
    ``lag`` counts every message still held. ``end`` and ``lag`` are None, and ``error``
    says why, for a partition Kafka cannot give offsets for now (a partition without a
    leader, a topic being created). Raises ``KafkaError`` when Kafka cannot be asked at
    all. ``admin`` is left open."""
    wanted = {group: set(topics) for group, topics in (subscriptions or {}).items()}
    listed = sorted(g for g in (_group_id(x) for x in admin.list_groups()) if str(g).startswith(prefix))
    groups = sorted(set(listed) | set(wanted))
    committed = {group: _committed(admin, group) if group in listed else {} for group in groups}
    subscribed = _subscribed(admin, listed)
    reads = {g: {tp.topic for tp in known(committed[g]) or {}} | subscribed.get(g, set()) | wanted.get(g, set()) for g in groups}
    partitions = partitions_of(admin, sorted(set().union(*reads.values())))
    parts = [tp for tps in partitions.values() for tp in tps]
    first, end = partition_offsets(admin, parts, OffsetSpec.EARLIEST), partition_offsets(admin, parts, OffsetSpec.LATEST)
    rows = []
    for group in groups:
        for topic in sorted(reads[group]):
            for tp in partitions.get(topic, []):
                offset = committed[group] if isinstance(committed[group], Unknown) else committed[group].get(tp)
                row = {"group": group, "topic": topic, "partition": tp.partition, "committed": known(offset), "end": None, "lag": None}
                start = offset if offset is not None else first.get(tp)
                if isinstance(end.get(tp), int) and isinstance(start, int):
                    row.update(end=end[tp], lag=max(0, end[tp] - start))
                else:
                    row["error"] = next((str(o) for o in (end.get(tp), start) if isinstance(o, Unknown)), "no offsets from Kafka")
                rows.append(row)
    return rows


def lag_of(bootstrap: str, prefix: str, subscriptions: Mapping[str, Iterable[str]] | None = None, timeout_ms: int = 5000) -> list[dict[str, Any]]:
    """``consumer_lag`` through an admin client of its own, closed afterwards."""
    admin = admin_client(bootstrap, timeout_ms)
    try:
        return consumer_lag(admin, prefix, subscriptions)
    finally:
        admin.close()


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


def offset_or_zero(offsets: Mapping[TopicPartition, int | Unknown], tp: TopicPartition) -> int:
    """The offset, or 0 where it is unknown."""
    offset = offsets.get(tp)
    return offset if isinstance(offset, int) else 0


def known(value: Any) -> Any:
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
