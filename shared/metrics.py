"""Prometheus metrics, one set for every service.

Counters and histograms are written by whichever process does the work (API workers,
consumers, relays, dispatchers). When ``PROMETHEUS_MULTIPROC_DIR`` is set for all of a
service's processes on one host (``make run`` does this), the API's ``/metrics`` adds them
up across processes; elsewhere a worker can expose its own with ``BSM_METRICS_PORT``.
Gauges that describe stored state (outbox backlog, notifications by status) are computed
when scraped.
"""
from __future__ import annotations

import os
import time
from typing import Callable, Iterable

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, start_http_server
from prometheus_client.core import GaugeMetricFamily

HTTP_REQUESTS = Counter("bsm_http_requests_total", "HTTP requests by route and status", ["service", "method", "route", "status"])
HTTP_SECONDS = Histogram("bsm_http_request_seconds", "HTTP request latency", ["service", "route"])
EVENTS_PUBLISHED = Counter("bsm_events_published_total", "Events published by the outbox relay", ["service", "type"])
EVENTS_CONSUMED = Counter("bsm_events_consumed_total", "Events taken by a consumer, by outcome", ["service", "group", "type", "outcome"])
HANDLING_SECONDS = Histogram("bsm_event_handling_seconds", "Time to handle one event", ["service", "group", "type"])
RETRIES = Counter("bsm_event_retries_total", "Handling attempts that failed and were retried", ["service", "group", "type"])
DEAD_LETTERED = Counter("bsm_dead_lettered_total", "Messages sent to a dead-letter topic", ["service", "group", "reason"])
NOTIFICATIONS = Counter("bsm_notifications_total", "Notification send attempts by channel and result", ["channel", "kind", "result"])
SMS_SEGMENTS = Counter("bsm_sms_segments_total", "SMS segments handed to the gateway (what the provider bills), by kind, language and encoding",
                       ["kind", "language", "encoding"])


class StateCollector:
    """Gauges computed at scrape time from a callable returning (name, help, labels, rows)."""

    def __init__(self, read: Callable[[], Iterable[tuple[str, str, list[str], list[tuple[list[str], float]]]]]):
        self.read = read

    def collect(self):
        for name, help_text, labels, rows in self.read():
            family = GaugeMetricFamily(name, help_text, labels=labels)
            for values, value in rows:
                family.add_metric(values, value)
            yield family


def metrics_blueprint(state: StateCollector | None = None) -> Blueprint:
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def metrics():
        registry = _registry()
        if state is not None:
            registry.register(state)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return bp


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    registry = CollectorRegistry()
    for collector in list(REGISTRY._collector_to_names):
        registry.register(collector)
    return registry


def serve_worker_metrics() -> None:
    """Expose this worker's metrics on ``BSM_METRICS_PORT`` when it is set."""
    port = os.environ.get("BSM_METRICS_PORT")
    if port:
        start_http_server(int(port))


def timer() -> Callable[[], float]:
    started = time.perf_counter()
    return lambda: time.perf_counter() - started
