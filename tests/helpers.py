"""Small helpers for tests against the real stack: bounded waits and topic reads."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping, TypeVar

import requests

from kafka import KafkaConsumer, TopicPartition

from deploy.local.processes import REPO, api_argv
from shared.config import Settings
from shared.outbox import stored_events

T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.1, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_topic(settings: Settings, topic: str, expect: int, timeout: float = 30.0, settle: float = 1.0) -> list:
    """Every record of ``topic`` from the beginning: waits for ``expect`` records, then
    ``settle`` seconds more so that an unexpected extra (a duplicate) is seen too.

    The reader assigns itself every partition rather than joining a consumer group: a
    group joined just after a broker restart can be handed no partitions (the assignor
    runs before the topic's metadata is back) and wait out ``metadata.max.age.ms``."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False)
    records: list = []
    try:
        deadline = time.monotonic() + timeout
        partitions = wait_until(lambda: consumer.partitions_for_topic(topic), timeout=timeout, interval=0.2, what=f"partitions of {topic}")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        while len(records) < expect and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        settle_until = time.monotonic() + settle
        while time.monotonic() < settle_until:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def roster_settled() -> datetime:
    """A time at which a meet roster changed up to now counts as settled, for matching's
    suggestions worker (``suggest_due(ctx, now=roster_settled())``)."""
    from services.matching.actions.suggestions import SETTLE

    return datetime.now(timezone.utc) + SETTLE


@contextmanager
def served_api(service: str, env: Mapping[str, str], folder: Path, ready: str = "/readyz") -> Iterator[str]:
    """``service``'s API under gunicorn exactly as ``make run`` starts it (``api_argv``) on a
    free port, with ``env`` added to this process's (its metrics folder and log in
    ``folder``); yields its base URL once ``ready`` answers 200, and stops it after."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    (folder / "metrics").mkdir(exist_ok=True)
    env = {**os.environ, **env, "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"), "PYTHONUNBUFFERED": "1"}
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{base}{ready}", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    with open(folder / "api.log", "ab") as log:
        process = subprocess.Popen(api_argv(service, env, port), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until(answers, timeout=60, what=f"{service} API ready")
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


def outbox_event_dicts(document: dict | None) -> list[dict]:
    """The events waiting in a stored document's outbox as dicts of their attributes
    (``type``, ``subject``, ``data``, ``id``, ``correlation_id``...), oldest first."""
    return [asdict(event) for event in stored_events(document)]
