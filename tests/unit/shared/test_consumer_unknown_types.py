"""Events of a type the consumer has no handler for are counted and logged once per type."""
import logging
from types import SimpleNamespace

from prometheus_client import REGISTRY

from shared.consumer import PROCESSED, EventConsumer
from shared.envelope import new_event, to_kafka

GROUP = "unknown-types-test"


def record(event_type: str, offset: int):
    key, value, headers = to_kafka(new_event(event_type, "/bsm/test", "thing-1", {"n": offset}))
    return SimpleNamespace(key=key, value=value, headers=headers, topic="bsm.test.events", partition=0, offset=offset)


def ignored(event_type: str) -> float:
    labels = {"service": "tester", "group": GROUP, "type": event_type, "outcome": "ignored"}
    return REGISTRY.get_sample_value("bsm_events_consumed_total", labels) or 0.0


def test_each_unknown_type_is_counted_every_time_and_logged_once(caplog):
    handled = []
    loop = EventConsumer(None, None, {PROCESSED: None}, GROUP, {"bsm.test.known.v1": handled.append}, "dlq", service="tester")
    strange, catalogued = "bsm.test.from_the_future.v9", "bsm.registration.participant.verified.v1"
    with caplog.at_level(logging.INFO, logger="shared.consumer"):
        outcomes = [loop.handle_record(record(t, n)).status for n, t in enumerate([strange, strange, catalogued, strange, catalogued])]
    assert outcomes == ["ignored"] * 5 and handled == []
    assert ignored(strange) == 3 and ignored(catalogued) == 2
    lines = [(r.levelno, r.event_type, r.catalogued) for r in caplog.records if r.getMessage() == "event type without a handler ignored"]
    assert lines == [(logging.WARNING, strange, False), (logging.INFO, catalogued, True)]
