"""The background processes every service runs, built one way.

``python -m services.<name> <command>`` dispatches here: ``relay`` publishes the
service's outbox, ``consumer`` handles the events it subscribes to.
"""
from __future__ import annotations

import argparse
import threading
from typing import Callable

from pymongo.database import Database

from shared import contracts, outbox
from shared.config import Settings
from shared.consumer import EventConsumer, Handler, dead_letter_topic
from shared.kafka_io import ensure_topics, make_consumer, make_producer, send_event_async
from shared.mongo import connect
from shared.worker import Loop, run_worker



def run_relay(settings: Settings, collections: list[str]) -> None:
    """Publish the service's outbox to its topics until stopped."""

    def build() -> Loop:
        db = connect(settings)
        ensure_topics(settings, [settings.topic(t) for t in contracts.topics_of(settings.service)])
        producer = make_producer(settings)
        relay = outbox.OutboxRelay(db, collections, lambda topic, event: send_event_async(producer, topic, event), service=settings.service)

        def run(stop: threading.Event) -> None:
            try:
                relay.run(stop, settings.relay_poll_seconds)
            finally:
                producer.close(timeout=5)

        return run

    run_worker("relay", settings, build)


def run_consumer(
    settings: Settings,
    group_id: str,
    topics: list[str],
    handlers: Callable[[Database], dict[str, Handler]],
    prepare: Callable[[Database], None] | None = None,
) -> None:
    """Consume ``topics`` (logical names) as ``group_id`` with the handlers built for the db."""
    full_topics = [settings.topic(t) for t in topics]
    dlq = dead_letter_topic(settings.topic_prefix, group_id)

    def build() -> Loop:
        db = connect(settings)
        if prepare:
            prepare(db)
        ensure_topics(settings, full_topics + [dlq])
        producer = make_producer(settings)
        consumer = make_consumer(settings, f"{settings.topic_prefix}{group_id}", full_topics)
        loop = EventConsumer(consumer, producer, db, group_id, handlers(db), dlq, service=settings.service)

        def run(stop: threading.Event) -> None:
            try:
                loop.run(stop)
            finally:
                consumer.close()
                producer.close(timeout=5)

        return run

    run_worker(f"consumer:{group_id}", settings, build)


def dispatch(service: str, commands: dict[str, Callable[[], None]], argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    parser.add_argument("command", choices=sorted(commands))
    commands[parser.parse_args(argv).command]()
