from datetime import datetime, timezone

import pytest
from marshmallow import ValidationError

from shared import contracts
from shared.contracts import registration
from shared.envelope import Event

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
