"""Kafka clients made one way for every service: producer, consumer, topic set-up."""
from __future__ import annotations

import logging
import socket

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.config import Settings
from shared.envelope import Event, to_kafka

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 3


def make_producer(settings: Settings, **overrides) -> KafkaProducer:
    """An idempotent producer that waits for every in-sync replica (kafka-python 3 defaults,
    spelled out so a reader does not have to know them)."""
    options = dict(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.service}-producer",
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        retries=5,
        request_timeout_ms=15000,
        max_block_ms=10000,
    )
    options.update(overrides)
    return KafkaProducer(**options)


SESSION_MS = 10_000
HEARTBEAT_MS = 3_000


def make_consumer(settings: Settings, group_id: str, topics: list[str], **overrides) -> KafkaConsumer:
    """A group consumer that never commits on its own: offsets are committed after handling.

    Metadata is refreshed every 5 s (not kafka-python's 5 min): a consumer that joins its
    group before the broker reports a new topic's partitions would otherwise be assigned
    nothing and sit idle for minutes. The session lasts 10 s (``BSM_KAFKA_SESSION_MS``;
    kafka-python's 45 s default kept a killed consumer's partitions unassigned, and its
    restarted successor idle, for 45 s); heartbeats come from a thread of their own, so a
    slow handler does not end the session.
    """
    options = dict(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group_id,
        client_id=f"{settings.service}-{group_id}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=100,
        metadata_max_age_ms=5000,
        session_timeout_ms=int(settings.extra.get("BSM_KAFKA_SESSION_MS", SESSION_MS)),
        heartbeat_interval_ms=HEARTBEAT_MS,
    )
    options.update(overrides)
    consumer = KafkaConsumer(**options)
    consumer.subscribe(topics)
    return consumer


def send_event(producer: KafkaProducer, topic: str, event: Event, timeout: float = 15.0):
    """Publish one event and wait for the broker's acknowledgement."""
    key, value, headers = to_kafka(event)
    return producer.send(topic, key=key, value=value, headers=headers).get(timeout=timeout)


def send_event_async(producer: KafkaProducer, topic: str, event: Event):
    """Publish one event; return the future of the broker's acknowledgement (``.get()``)."""
    key, value, headers = to_kafka(event)
    return producer.send(topic, key=key, value=value, headers=headers)


def ensure_topics(settings: Settings, topics: list[str], partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create the topics that do not exist yet (idempotent)."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, client_id=f"{settings.service}-admin")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                admin.create_topics([NewTopic(t, partitions, 1) for t in missing])
            except TopicAlreadyExistsError:
                pass
            log.info("created topics", extra={"topics": missing})
    finally:
        admin.close()


def kafka_reachable(settings: Settings, timeout: float = 1.0) -> bool:
    """True when a bootstrap server accepts a TCP connection (a cheap readiness probe)."""
    for server in settings.kafka_bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False
