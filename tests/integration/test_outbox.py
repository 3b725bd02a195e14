"""The outbox publishes every accepted change exactly once in effect, even across a Kafka outage."""
import threading

import pytest

from shared.kafka_io import ensure_topics, make_producer, send_event
from shared.mongo import connect
from shared.outbox import OutboxRelay, pending_count
from shared.envelope import from_kafka
from services.registration.domain.participants import register_participant
from services.registration.messages import participant_event
from shared.contracts.registration import PARTICIPANT_REGISTERED
from services.registration.store import OUTBOX_COLLECTIONS, ParticipantStore, ensure_indexes
from tests.helpers import read_topic, wait_until

pytestmark = pytest.mark.stack


def seller(n: int):
    return register_participant(
        role="seller", country="IN", name=f"Weaver {n}", preferred_language="ks",
        district="Budgam", state="Jammu and Kashmir", phone=f"+9198765432{n:02d}",
    )


@pytest.fixture
def registration(settings_for):
    settings = settings_for("registration")
    db = connect(settings)
    ensure_indexes(db)
    topic = settings.topic("registration.events")
    ensure_topics(settings, [topic])
    return settings, db, topic, ParticipantStore(db, topic)


def test_relay_publishes_pending_events_and_clears_them(registration):
    settings, db, topic, store = registration
    sellers = [seller(n) for n in range(3)]
    for s in sellers:
        store.add(s, [participant_event(PARTICIPANT_REGISTERED, s)])
    assert pending_count(db, OUTBOX_COLLECTIONS) == 3
    producer = make_producer(settings)
    try:
        relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: send_event(producer, t, e))
        assert relay.relay_once() == 3
        assert relay.relay_once() == 0
    finally:
        producer.close()
    records = read_topic(settings, topic, expect=3)
    assert sorted(from_kafka(r.key, r.value, r.headers).subject for r in records) == sorted(s.id for s in sellers)
    assert pending_count(db, OUTBOX_COLLECTIONS) == 0


def test_changes_accepted_while_kafka_is_down_are_published_once_it_is_back(stack, registration):
    settings, db, topic, store = registration
    producer = make_producer(settings)
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: send_event(producer, t, e, timeout=5))
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop, 0.05, 1.0), daemon=True)
    worker.start()
    try:
        stack.stop_kafka()
        sellers = [seller(n) for n in range(10, 14)]
        for s in sellers:
            store.add(s, [participant_event(PARTICIPANT_REGISTERED, s)])
        assert pending_count(db, OUTBOX_COLLECTIONS) == 4
        stack.start_kafka()
        wait_until(lambda: pending_count(db, OUTBOX_COLLECTIONS) == 0, timeout=90, what="outbox to drain")
    finally:
        stop.set()
        worker.join(timeout=30)
        producer.close()
    records = read_topic(settings, topic, expect=4)
    published = {e.id: e for e in (from_kafka(r.key, r.value, r.headers) for r in records)}
    assert sorted(e.subject for e in published.values()) == sorted(s.id for s in sellers)
