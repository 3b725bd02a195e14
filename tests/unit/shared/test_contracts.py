from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from shared import contracts
from shared.contracts import matching, registration
from shared.envelope import Event
from shared.timezones import TimeZone, check_zone, zone_names

VALID = {
    "participant_id": "p1",
    "role": "seller",
    "name": "Haleema Bano",
    "country": "IN",
    "preferred_language": "ks",
    "registered_at": datetime(2026, 11, 24, tzinfo=timezone.utc),
    "version": 1,
}


def test_producers_are_strict_about_unknown_and_missing_fields():
    with pytest.raises(ValidationError, match="Unknown field"):
        contracts.data_for(registration.PARTICIPANT_REGISTERED, {**VALID, "surprise": 1})
    with pytest.raises(ValidationError) as missing:
        contracts.data_for(registration.PARTICIPANT_REGISTERED, {k: v for k, v in VALID.items() if k != "name"})
    assert "name" in missing.value.messages


def test_producer_data_is_json_ready():
    data = contracts.data_for(registration.PARTICIPANT_REGISTERED, VALID)
    assert data["registered_at"] == "2026-11-24T00:00:00+00:00"


def test_consumers_ignore_fields_they_do_not_know():
    data = contracts.data_for(registration.PARTICIPANT_REGISTERED, VALID)
    event = Event(type=registration.PARTICIPANT_REGISTERED, source="/x", subject="p1", data={**data, "added_later": True})
    assert "added_later" not in contracts.read_data(event)


def test_every_contract_names_a_versioned_type_and_its_producers_topic():
    contracts.topics()
    for event_type, contract in contracts.CATALOGUE.items():
        assert event_type.split(".")[-1].startswith("v"), event_type
        assert event_type.split(".")[1] == contract.producer, event_type


def test_unknown_types_are_refused():
    with pytest.raises(contracts.UnknownEventType):
        contracts.contract_for("bsm.nobody.nothing.v1")


def _zone_fields(schema, path=""):
    """(path, field) of every field named like a time zone, through nested schemas."""
    for name, field in schema.fields.items():
        inner = getattr(field, "inner", None) or field
        nested = getattr(inner, "schema", None)
        if nested is not None and hasattr(nested, "fields"):
            yield from _zone_fields(nested, f"{path}{name}.")
        elif "zone" in name:
            yield f"{path}{name}", field


def test_every_time_zone_in_every_contract_is_checked_as_an_iana_name():
    contracts.topics()
    found = [(t, p, f) for t, c in contracts.CATALOGUE.items() for p, f in _zone_fields(c.schema())]
    assert found, "no contract carries a time zone any more: this test no longer guards anything"
    for event_type, path, field in found:
        assert isinstance(field, TimeZone), f"{event_type} {path} is a {type(field).__name__}, not a TimeZone"


MEETING = {"meeting_id": "m:s:b", "meet_id": "m", "seller_id": "s", "buyer_id": "b", "slot_id": "d1-s1", "day": "2027-07-30",
           "start": "10:00", "end": "10:20", "table": 1, "timezone": "Asia/Kolkata", "status": "scheduled", "version": 1}


@pytest.mark.parametrize("zone", ["IST", "GMT+5:30", "Mars/Olympus", "asia/kolkata"])
def test_an_event_with_a_zone_zoneinfo_cannot_load_is_refused_by_producer_and_consumer(zone):
    with pytest.raises(ValidationError) as refused:
        contracts.data_for(matching.MEETING_SCHEDULED, {**MEETING, "timezone": zone})
    assert "timezone" in refused.value.messages
    arrived = Event(type=matching.MEETING_SCHEDULED, source="/x", subject="m:s:b", data={**MEETING, "timezone": zone})
    with pytest.raises(ValidationError):
        contracts.read_data(arrived)


def test_a_valid_zone_passes_and_loads():
    data = contracts.data_for(matching.MEETING_SCHEDULED, MEETING)
    assert ZoneInfo(data["timezone"]).key == "Asia/Kolkata"


def test_every_listed_zone_loads_and_the_known_bad_ones_are_not_listed():
    for name in zone_names():
        ZoneInfo(name)
    assert {"IST", "GMT+5:30", "Mars/Olympus", "localtime", "Factory"}.isdisjoint(zone_names())
    with pytest.raises(ValueError, match="did you mean Europe/London"):
        check_zone("europe/london")


def test_a_cancellation_says_why_and_one_published_before_it_did_still_loads():
    cancelled = {**MEETING, "status": "cancelled", "version": 2}
    data = contracts.data_for(matching.MEETING_CANCELLED, {**cancelled, "cancel_reason": "withdrawn"})
    assert data["cancel_reason"] == "withdrawn"
    fresh = Event(type=matching.MEETING_CANCELLED, source="/x", subject="m:s:b", data=data)
    assert contracts.read_data(fresh)["cancel_reason"] == "withdrawn"
    old = Event(type=matching.MEETING_CANCELLED, source="/x", subject="m:s:b", data=contracts.data_for(matching.MEETING_SCHEDULED, cancelled))
    assert "cancel_reason" not in old.data and contracts.read_data(old)["cancel_reason"] is None


def test_only_a_cancellation_carries_a_reason():
    with pytest.raises(ValidationError, match="Unknown field"):
        contracts.data_for(matching.MEETING_SCHEDULED, {**MEETING, "cancel_reason": "withdrawn"})
