"""Running a background loop (consumer, relay, dispatcher) as its own process.

SIGTERM and SIGINT ask the loop to stop after the record in hand. If Kafka or Mongo is
away when the loop starts or fails later, the loop is rebuilt after a backoff instead of
the process dying, so a worker started before its broker simply waits for it.
"""
from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from kafka.errors import KafkaError
from pymongo.errors import PyMongoError

from shared.config import Settings
from shared.logs import configure_logging
from shared.metrics import serve_worker_metrics

log = logging.getLogger(__name__)

Loop = Callable[[threading.Event], None]


def stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def _handle(signum, _frame):
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)
    return stop


def run_worker(name: str, settings: Settings, build: Callable[[], Loop], max_backoff: float = 5.0) -> None:
    """Build the loop with fresh clients and run it until asked to stop."""
    configure_logging(settings.service, settings.log_level)
    serve_worker_metrics()
    stop = stop_on_signals()
    backoff = 0.5
    log.info("worker starting", extra={"worker": name})
    while not stop.is_set():
        try:
            build()(stop)
        except (KafkaError, PyMongoError) as exc:
            log.warning("worker waiting for its dependencies", extra={"worker": name, "error": repr(exc)})
            stop.wait(backoff)
            backoff = min(max_backoff, backoff * 2)
    log.info("worker stopped", extra={"worker": name})
