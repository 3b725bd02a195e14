"""The envelope survives a real broker, and a standard CloudEvents reader can parse it."""
import pytest
from cloudevents.v1 import kafka as ce_kafka

from shared.envelope import from_kafka, new_event
from shared.kafka_io import ensure_topics, make_producer, send_event
from tests.helpers import read_topic

pytestmark = pytest.mark.stack


def test_event_round_trips_through_kafka(settings_for):
    settings = settings_for("registration")
    topic = settings.topic("registration.events")
    ensure_topics(settings, [topic])
    event = new_event("bsm.registration.participant.registered.v1", "/bsm/registration", "p-9", {"name": "Aisha", "kg": 2000})
    producer = make_producer(settings)
    try:
        metadata = send_event(producer, topic, event)
    finally:
        producer.close()
    [record] = read_topic(settings, topic, expect=1)
    assert (record.partition, record.offset) == (metadata.partition, metadata.offset)
    assert record.key == b"p-9"
    assert from_kafka(record.key, record.value, record.headers) == event
    parsed = ce_kafka.from_binary(ce_kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value))
    assert (parsed["id"], parsed["type"], parsed.data) == (event.id, event.type, event.data)
    assert parsed["correlationid"] == event.correlation_id
