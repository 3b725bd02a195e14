"""Every POST of every service honours ``Idempotency-Key`` (shared/http.py ``idempotent``):
a client that retries after a timeout, with the same key and body, gets the first answer
again (``Idempotent-Replayed: true``) rather than a second effect or a 409 about its own
first request. PUT, PATCH and DELETE are idempotent by their meaning (RFC 9110 section
9.2.2), PATCH guarded by If-Match besides."""
import pytest

from tests.api.conftest import ORGANISER
from tests.api.test_hostile_input import apps  # noqa: F401 (fixture)
from tests.api.test_matching_api import buyer, matching, meet_with_people, seller  # noqa: F401 (fixtures)
from tests.api.test_walk_ins import early_on_the_day, live_meetings

pytestmark = pytest.mark.stack


def test_every_post_of_every_service_honours_and_documents_an_idempotency_key(apps):  # noqa: F811
    without = []
    for service, flask_app in apps.items():
        document = flask_app.test_client().get("/openapi.json").get_json()
        for rule in flask_app.url_map.iter_rules():
            if "POST" not in (rule.methods or ()) or not getattr(flask_app.view_functions[rule.endpoint], "_openapi", None):
                continue
            path = rule.rule.replace("<", "{").replace(">", "}")
            parameters = {p["name"] for p in document["paths"][path]["post"].get("parameters", [])}
            if not getattr(flask_app.view_functions[rule.endpoint], "idempotent", False) or "Idempotency-Key" not in parameters:
                without.append(f"{service}: POST {path}")
    assert without == []


def test_a_walk_in_retried_with_its_key_answers_the_first_meeting_again(meet_with_people):  # noqa: F811
    client, _, meet = meet_with_people
    early_on_the_day(client)
    headers = {**ORGANISER, "Idempotency-Key": "walk-in-s1-b1-0001"}
    first = client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": "s1", "buyer_id": "b1"}, headers=headers)
    again = client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": "s1", "buyer_id": "b1"}, headers=headers)
    assert first.status_code == again.status_code == 201, again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert [(m["seller_id"], m["buyer_id"]) for m in live_meetings(client, meet.id)] == [("s1", "b1")]
    reordered = client.post(f"/v1/meets/{meet.id}/walk-ins", data=b'{ "buyer_id" : "b1",\n  "seller_id" : "s1" }', content_type="application/json", headers=headers)
    assert reordered.status_code == 201 and reordered.headers["Idempotent-Replayed"] == "true", "the same JSON written another way is the same request"
    other = client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": "s2", "buyer_id": "b1"}, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]
    empty = client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": "s2", "buyer_id": "b1"}, headers={**ORGANISER, "Idempotency-Key": ""})
    assert empty.status_code == 400 and "Idempotency-Key" in empty.get_json()["errors"], "an empty key is a key too short, not no key"


def test_a_request_and_its_acceptance_retried_with_their_keys_happen_once(meet_with_people):  # noqa: F811
    client, _, meet = meet_with_people
    body = {"from_id": "s3", "to_id": "b2", "message": "Our saffron is GI-tagged"}
    asked = [client.post(f"/v1/meets/{meet.id}/requests", json=body, headers={**ORGANISER, "Idempotency-Key": "ask-s3-b2-0001"}) for _ in range(2)]
    assert [a.status_code for a in asked] == [201, 201] and asked[0].get_json() == asked[1].get_json()
    assert len(client.get(f"/v1/meets/{meet.id}/requests", headers=ORGANISER).get_json()["items"]) == 1
    request_id = asked[0].get_json()["id"]
    accepted = [client.post(f"/v1/requests/{request_id}/accept", headers={**ORGANISER, "Idempotency-Key": "accept-s3-b2-01"}) for _ in range(2)]
    assert [a.status_code for a in accepted] == [200, 200] and accepted[1].get_json()["status"] == "accepted"
    assert accepted[1].headers["Idempotent-Replayed"] == "true"
