"""The shared consumer loop on a real broker: no double effects, dead letters, retries."""
import threading
import uuid

import pytest
from kafka import KafkaProducer
from marshmallow import ValidationError
from pymongo.errors import AutoReconnect

from shared.consumer import EventConsumer, dead_letter_topic
from shared.envelope import Event, new_event, to_kafka
from shared.kafka_io import ensure_topics, make_consumer, make_producer, send_event
from shared.mongo import connect
from tests.helpers import read_topic, wait_until

pytestmark = pytest.mark.stack

GOOD = "bsm.test.thing.happened.v1"
POISON = "bsm.test.thing.poisoned.v1"
FLAKY = "bsm.test.thing.flaky.v1"


@pytest.fixture
def harness(settings_for):
    settings = settings_for("matching")
    db = connect(settings)
    topic = settings.topic("test.events")
    dlq = dead_letter_topic(settings.topic_prefix, "tester")
    ensure_topics(settings, [topic, dlq])
    producer = make_producer(settings)
    effects = db["effects"]
    flaky_failures = {"left": 2}

    def on_good(event: Event) -> None:
        effects.insert_one({"event_id": event.id, "n": event.data["n"]})

    def on_poison(event: Event) -> None:
        raise ValidationError({"n": ["Not a valid integer."]})

    def on_flaky(event: Event) -> None:
        if flaky_failures["left"]:
            flaky_failures["left"] -= 1
            raise AutoReconnect("mongo blinked")
        effects.insert_one({"event_id": event.id, "n": event.data["n"]})

    handlers = {GOOD: on_good, POISON: on_poison, FLAKY: on_flaky}
    running: list[tuple[threading.Thread, threading.Event, object]] = []

    def start_consumer():
        consumer = make_consumer(settings, f"{settings.topic_prefix}tester", [topic])
        loop = EventConsumer(consumer, producer, db, "tester", handlers, dlq, backoff_seconds=0.05)
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop, 100), daemon=True)
        thread.start()
        running.append((thread, stop, consumer))

    def stop_consumers():
        for thread, stop, consumer in running:
            stop.set()
            thread.join(timeout=15)
            consumer.close()
        running.clear()

    def publish(event: Event) -> None:
        send_event(producer, topic, event)

    yield {"settings": settings, "db": db, "topic": topic, "dlq": dlq, "effects": effects,
           "start": start_consumer, "stop": stop_consumers, "publish": publish, "producer": producer}
    stop_consumers()
    producer.close()


def event(event_type: str, n: int) -> Event:
    return new_event(event_type, "/bsm/test", f"thing-{n}", {"n": n})


def test_a_redelivered_event_has_no_second_effect(harness):
    first = event(GOOD, 1)
    harness["publish"](first)
    harness["publish"](first)  # the same event id delivered twice
    harness["publish"](event(GOOD, 2))
    harness["start"]()
    wait_until(lambda: harness["effects"].count_documents({}) >= 2, what="two effects")
    harness["stop"]()
    assert sorted(d["n"] for d in harness["effects"].find()) == [1, 2]


def test_a_consumer_restarted_before_committing_does_not_repeat_effects(harness):
    settings, db = harness["settings"], harness["db"]
    harness["publish"](event(GOOD, 7))
    consumer = make_consumer(settings, f"{settings.topic_prefix}tester", [harness["topic"]])
    loop = EventConsumer(consumer, harness["producer"], db, "tester", {GOOD: lambda e: harness["effects"].insert_one({"n": 7})}, harness["dlq"])
    records = wait_until(lambda: [r for batch in consumer.poll(timeout_ms=500).values() for r in batch], what="the record")
    loop.handle_record(records[0])  # handled, then "crash": no commit
    consumer.close()
    harness["start"]()  # a fresh consumer in the same group gets the record again
    wait_until(lambda: db["processed_events"].count_documents({}) == 1, what="ledger")
    harness["stop"]()
    assert harness["effects"].count_documents({"n": 7}) == 1


def test_unprocessable_messages_go_to_the_dead_letter_topic_and_the_consumer_goes_on(harness):
    settings = harness["settings"]
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    raw.send(harness["topic"], key=b"x", value=b"this is not an event", headers=[("ce_id", b"1")]).get(timeout=10)
    raw.close()
    poisoned = event(POISON, 3)
    harness["publish"](poisoned)
    harness["publish"](event(GOOD, 4))
    harness["start"]()
    wait_until(lambda: harness["effects"].count_documents({"n": 4}) == 1, what="the good event after the bad ones")
    dead = read_topic(settings, harness["dlq"], expect=2)
    harness["stop"]()
    assert len(dead) == 2
    by_reason = {dict(r.headers)["dlq_reason"]: dict(r.headers) for r in dead}
    assert set(by_reason) == {b"invalid-envelope", b"rejected"}
    assert b"missing CloudEvents attribute" in by_reason[b"invalid-envelope"]["dlq_error"]
    rejected = by_reason[b"rejected"]
    assert b"Not a valid integer" in rejected["dlq_error"]
    assert rejected["dlq_origin_topic"] == harness["topic"].encode()
    assert rejected["ce_id"] == poisoned.id.encode()
    assert rejected["dlq_group"] == b"tester"
    assert [r.value for r in dead if dict(r.headers)["dlq_reason"] == b"invalid-envelope"] == [b"this is not an event"]


def test_transient_failures_are_retried_not_dead_lettered(harness):
    harness["publish"](event(FLAKY, 5))
    harness["start"]()
    wait_until(lambda: harness["effects"].count_documents({"n": 5}) == 1, what="the flaky event")
    harness["stop"]()
    assert read_topic(harness["settings"], harness["dlq"], expect=0, settle=0.5) == []
