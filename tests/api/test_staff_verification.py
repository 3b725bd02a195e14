"""Staff act for a participant through an audited endpoint, never with the participant's
code or token (issue 12, item 1): an organiser confirms a contact they checked themselves;
the record says who, when and how; no token comes back; the event tells the other services."""
import json
import logging

import pytest

from shared.contracts.registration import PARTICIPANT_VERIFIED
from tests.api.conftest import OPERATOR, ORGANISER, outbox_events, register, token_for

pytestmark = pytest.mark.stack

URL = "/v1/participants/{}/contact-verification"


def test_an_organiser_verifies_a_contact_on_the_record_and_gets_no_token(client, db, caplog):
    seller = register(client)
    assert seller["contact_verified"] is False
    with caplog.at_level(logging.INFO):
        response = client.post(URL.format(seller["id"]), json={"method": "in_person", "note": "Aadhaar seen at the help desk"}, headers=ORGANISER)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert "token" not in json.dumps(body)
    assert body["contact_verified"] is True and body["version"] == seller["version"] + 1
    [action] = body["staff_actions"]
    assert (action["action"], action["by"], action["method"], action["note"]) == ("contact_verified", "organiser-key", "in_person", "Aadhaar seen at the help desk")
    assert response.headers["ETag"]

    stored = client.get(f"/v1/sellers/{seller['id']}", headers=ORGANISER).get_json()
    assert stored["contact_verified"] is True and stored["staff_actions"] == body["staff_actions"]
    verified = [e for e in outbox_events(db, "participants", seller["id"]) if e["type"] == PARTICIPANT_VERIFIED]
    assert len(verified) == 1 and verified[0]["data"]["contact_verified"] is True
    [audit] = [r for r in caplog.records if getattr(r, "audit", False)]
    assert (audit.action, audit.actor, audit.participant_id, audit.method) == ("contact_verified", "organiser-key", seller["id"], "in_person")

    again = client.post(URL.format(seller["id"]), json={"method": "phone_call"}, headers=ORGANISER)
    assert again.status_code == 200 and len(again.get_json()["staff_actions"]) == 1
    assert len([e for e in outbox_events(db, "participants", seller["id"]) if e["type"] == PARTICIPANT_VERIFIED]) == 1


def test_the_participant_sees_what_staff_did_on_their_behalf(client, db):
    seller = register(client)
    client.post(URL.format(seller["id"]), json={"method": "phone_call"}, headers=ORGANISER)
    own = client.get(f"/v1/sellers/{seller['id']}", headers=token_for(client, db, seller["id"])).get_json()
    assert [a["method"] for a in own["staff_actions"]] == ["phone_call"]
    public = client.get(f"/v1/sellers/{seller['id']}", headers=token_for(client, db, register(client, phone="+919876543299", gstin=None)["id"])).get_json()
    assert "staff_actions" not in public


@pytest.mark.parametrize("body, field", [({}, "method"), ({"method": "guessed"}, "method"), ({"method": "in_person", "note": "a\x00b"}, "note")])
def test_bad_requests_name_the_field(client, body, field):
    seller = register(client)
    response = client.post(URL.format(seller["id"]), json=body, headers=ORGANISER)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert field in json.dumps(response.get_json())


def test_only_organisers_and_only_known_participants(client):
    seller = register(client)
    assert client.post(URL.format(seller["id"]), json={"method": "in_person"}, headers=OPERATOR).status_code == 403
    assert client.post(URL.format(seller["id"]), json={"method": "in_person"}).status_code == 401
    missing = client.post(URL.format("0" * 32), json={"method": "in_person"}, headers=ORGANISER)
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
