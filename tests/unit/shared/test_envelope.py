import json
import time
from datetime import datetime, timezone

import pytest
from cloudevents.core.bindings import kafka as ce_core_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.v1 import kafka as ce_v1_kafka

from shared import correlation
from cloudevents.core.v1.event import CloudEvent

from shared.envelope import Event, InvalidEnvelope, from_json, from_kafka, new_event, to_json, to_kafka


def sample(**overrides) -> Event:
    values = dict(
        type="bsm.registration.participant.registered.v1",
        source="/bsm/registration",
        subject="p-123",
        data={"participant_id": "p-123", "name": "Ghulam Nabi", "district": "Budgam"},
        correlation_id="corr-1",
        causation_id="cause-1",
        time=datetime(2026, 11, 24, 10, 30, 15, 123000, tzinfo=timezone.utc),
    )
    values.update(overrides)
    return Event(**values)


def test_kafka_binary_round_trip_keeps_every_attribute():
    event = sample()
    key, value, headers = to_kafka(event)
    assert key == b"p-123"
    assert json.loads(value) == event.data
    assert from_kafka(key, value, headers) == event


def test_headers_follow_the_cloudevents_kafka_binding():
    _, _, headers = to_kafka(sample())
    names = dict(headers)
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_type"] == b"bsm.registration.participant.registered.v1"
    assert names["ce_time"] == b"2026-11-24T10:30:15.123Z"
    assert names["content-type"] == b"application/json"
    assert names["ce_correlationid"] == b"corr-1"
    assert "ce_datacontenttype" not in names


def test_the_cloudevents_sdk_reads_our_records():
    event = sample()
    key, value, headers = to_kafka(event)
    parsed = ce_v1_kafka.from_binary(ce_v1_kafka.KafkaMessage(headers=dict(headers), key=key, value=value))
    assert parsed["id"] == event.id
    assert parsed["type"] == event.type
    assert parsed["source"] == event.source
    assert parsed["subject"] == "p-123"
    assert parsed["correlationid"] == "corr-1"
    assert parsed.data == event.data


def test_the_strict_cloudevents_core_reader_reads_our_records():
    event = sample()
    key, value, headers = to_kafka(event)
    message = ce_core_kafka.KafkaMessage(headers=dict(headers), key=key, value=value)
    parsed = ce_core_kafka.from_binary(message, JSONFormat())
    assert parsed.get_id() == event.id
    assert parsed.get_type() == event.type
    assert parsed.get_time() == event.time
    assert parsed.get_extension("causationid") == "cause-1"
    assert parsed.get_data() == event.data


def test_version_is_read_from_the_type():
    assert sample(type="bsm.x.thing.happened.v3").version == 3
    assert sample(type="bsm.x.thing.happened").version == 1


@pytest.mark.parametrize(
    "headers, value, message",
    [
        ([("ce_id", b"1"), ("ce_source", b"/x"), ("ce_specversion", b"1.0")], b"{}", "type"),
        ([("ce_id", b"1"), ("ce_source", b"/x"), ("ce_type", b"t"), ("ce_specversion", b"0.3")], b"{}", "specversion"),
        ([("ce_id", b"1"), ("ce_source", b"/x"), ("ce_type", b"t"), ("ce_specversion", b"1.0")], b"not json", "JSON"),
        ([("ce_id", b"1"), ("ce_source", b"/x"), ("ce_type", b"t"), ("ce_specversion", b"1.0")], b"[1]", "object"),
        ([("ce_id", b"\xff"), ("ce_source", b"/x"), ("ce_type", b"t"), ("ce_specversion", b"1.0")], b"{}", "UTF-8"),
        (
            [("ce_id", b"1"), ("ce_source", b"/x"), ("ce_type", b"t"), ("ce_specversion", b"1.0"), ("content-type", b"text/xml")],
            b"{}",
            "content type",
        ),
    ],
)
def test_records_that_are_not_our_events_are_refused_with_a_reason(headers, value, message):
    with pytest.raises(InvalidEnvelope, match=message):
        from_kafka(b"k", value, headers)


def test_new_event_inherits_correlation_and_takes_the_handled_event_as_cause():
    with correlation.correlated("corr-42", "event-7"):
        event = new_event("bsm.t.v1", "/bsm/t", "s", {})
    assert (event.correlation_id, event.causation_id) == ("corr-42", "event-7")


def test_new_event_outside_any_work_gets_a_fresh_correlation_id():
    first, second = (new_event("bsm.t.v1", "/bsm/t", "s", {}) for _ in range(2))
    assert first.correlation_id and second.correlation_id and first.correlation_id != second.correlation_id


def test_json_round_trip_keeps_every_attribute():
    event = sample()
    assert from_json(to_json(event)) == event
    assert from_json(to_json(sample(correlation_id=None, causation_id=None, data={"name": "Zoya \u0632\u0648\u06cc\u0627"}))).causation_id is None


def test_the_strict_cloudevents_core_reader_reads_our_json_events():
    event = sample()
    parsed = JSONFormat().read(CloudEvent, to_json(event))
    assert (parsed.get_id(), parsed.get_type(), parsed.get_source(), parsed.get_subject()) == (event.id, event.type, event.source, event.subject)
    assert parsed.get_time() == event.time
    assert (parsed.get_extension("correlationid"), parsed.get_extension("causationid")) == ("corr-1", "cause-1")
    assert parsed.get_data() == event.data


def test_a_json_event_written_by_the_cloudevents_sdk_is_read():
    written = JSONFormat().write(CloudEvent({"id": "e-1", "source": "/x", "type": "bsm.x.v2", "specversion": "1.0", "subject": "s-1",
                                             "time": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "datacontenttype": "application/json"},
                                            {"n": 1}))
    event = from_json(written)
    assert (event.id, event.type, event.subject, event.data, event.version) == ("e-1", "bsm.x.v2", "s-1", {"n": 1}, 2)


def test_a_time_without_a_zone_is_utc_both_ways(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        naive = sample(time=datetime(2026, 11, 24, 12, 0))
        assert json.loads(to_json(naive))["time"] == "2026-11-24T12:00:00.000Z"
        assert dict(to_kafka(naive)[2])["ce_time"] == b"2026-11-24T12:00:00.000Z"
        read = from_json(to_json(sample()).replace("2026-11-24T10:30:15.123Z", "2026-11-24T10:30:15.123"))
        assert read.time == datetime(2026, 11, 24, 10, 30, 15, 123000, tzinfo=timezone.utc)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_event_without_a_subject_is_written_without_one_and_still_read():
    text = to_json(sample(subject=""))
    assert "subject" not in json.loads(text)
    assert JSONFormat().read(CloudEvent, text).get_id() and from_json(text).subject == ""


@pytest.mark.parametrize("text, message", [
    ('{"id": "1", "source": "/x", "type": "t", "specversion": "1.0", "datacontenttype": "text/plain", "data": {}}', "content type"),
    ("not json", "JSON"), ("[]", "object"), ('{"id": "1", "source": "/x", "specversion": "1.0"}', "type"),
    ('{"id": "1", "source": "/x", "type": "t", "specversion": "0.3"}', "specversion"),
    ('{"id": "1", "source": "/x", "type": "t", "specversion": "1.0", "data": [1]}', "object"),
    ('{"id": "1", "source": "/x", "type": "t", "specversion": "1.0", "time": "yesterday"}', "RFC 3339"),
])
def test_what_is_not_a_json_event_is_refused_by_name(text, message):
    with pytest.raises(InvalidEnvelope, match=message):
        from_json(text)
