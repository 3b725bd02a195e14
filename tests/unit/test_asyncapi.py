"""The AsyncAPI document covers every event the code can publish, and the copy in docs/ is current."""
import json
from pathlib import Path

from ops.asyncapi import build
from shared import contracts

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_every_event_type_has_a_message_with_its_payload_schema():
    document = build()
    titles = {m["title"] for m in document["components"]["messages"].values()}
    assert titles == set(contracts.CATALOGUE)
    for message in document["components"]["messages"].values():
        schema_name = message["payload"]["$ref"].rsplit("/", 1)[1]
        assert document["components"]["schemas"][schema_name]["properties"], schema_name
    assert {c["address"] for c in document["channels"].values()} >= {"bsm.registration.events", "bsm.matching.events", "bsm.matching.dlq"}
    assert "notifications_consumes_matching_events" in document["operations"]


def test_the_published_copy_matches_the_code():
    assert json.loads(DOC.read_text()) == json.loads(json.dumps(build(), default=str)), "regenerate: bsm ops asyncapi > docs/asyncapi.json"
