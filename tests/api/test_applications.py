import pytest

from tests.api.conftest import MEET, ORGANISER, SELLER, open_meet, outbox_events, register, token_for

pytestmark = pytest.mark.stack


@pytest.fixture
def seller_and_token(client, db):
    seller = register(client)
    return seller, token_for(client, db, seller["id"])


def test_a_participant_applies_with_their_availability(client, db, seller_and_token):
    seller, headers = seller_and_token
    meet = open_meet(client)
    slots = [s["id"] for s in meet["slots"][:3]]
    response = client.post(f"/v1/meets/{meet['id']}/applications", json={"availability": slots}, headers=headers)
    assert response.status_code == 201, response.get_json()
    application = response.get_json()
    assert (application["status"], application["role"], application["availability"]) == ("applied", "seller", sorted(slots))
    [event] = outbox_events(db, "applications", application["id"])
    assert event["type"] == "bsm.registration.participation.applied.v1"
    assert client.post(f"/v1/meets/{meet['id']}/applications", json={"availability": slots}, headers=headers).status_code == 409


def test_applications_outside_the_rules_are_refused(client, seller_and_token):
    _, headers = seller_and_token
    draft = client.post("/v1/meets", json=MEET, headers=ORGANISER).get_json()
    assert client.post(f"/v1/meets/{draft['id']}/applications", json={"availability": [draft["slots"][0]["id"]]}, headers=headers).status_code == 409
    meet = open_meet(client)
    unknown = client.post(f"/v1/meets/{meet['id']}/applications", json={"availability": ["2020-01-01T0900"]}, headers=headers)
    assert unknown.status_code == 422 and "availability" in unknown.get_json()["errors"]


def test_capacity_is_enforced_and_withdrawal_frees_a_place(client, db):
    meet = open_meet(client, capacity_sellers=1)
    slot = meet["slots"][0]["id"]
    sellers = [register(client, phone=f"+91982000000{n}", gstin=None, email=None)["id"] for n in range(2)]
    for seller_id in sellers:
        body = {"participant_id": seller_id, "availability": [slot]}
        assert client.post(f"/v1/meets/{meet['id']}/applications", json=body, headers=ORGANISER).status_code == 201

    def decide(seller_id, decision, reason=None):
        return client.post(f"/v1/meets/{meet['id']}/applications/{seller_id}/decision", json={"decision": decision, "reason": reason}, headers=ORGANISER)

    assert decide(sellers[0], "approve").get_json()["status"] == "approved"
    full = decide(sellers[1], "approve")
    assert full.status_code == 409 and "full" in full.get_json()["detail"]
    assert decide(sellers[1], "waitlist").get_json()["status"] == "waitlisted"
    assert client.post(f"/v1/meets/{meet['id']}/applications/{sellers[0]}/withdrawal", json={}, headers=ORGANISER).get_json()["status"] == "withdrawn"
    assert decide(sellers[1], "approve").get_json()["status"] == "approved"
    assert client.get(f"/v1/meets/{meet['id']}").get_json()["approved"] == {"seller": 1, "buyer": 0}


def test_a_decision_or_withdrawal_sent_again_is_answered_with_it_once_taken(client, db):
    meet = open_meet(client, capacity_sellers=2)
    slot = meet["slots"][0]["id"]
    seller_id = register(client, phone="+919820000099", gstin=None, email=None)["id"]
    assert client.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": seller_id, "availability": [slot]}, headers=ORGANISER).status_code == 201
    url = f"/v1/meets/{meet['id']}/applications/{seller_id}"
    first = client.post(f"{url}/decision", json={"decision": "approve"}, headers=ORGANISER)
    again = client.post(f"{url}/decision", json={"decision": "approve"}, headers=ORGANISER)
    assert (first.status_code, again.status_code) == (200, 200)
    assert [again.get_json()[k] for k in ("status", "version")] == [first.get_json()[k] for k in ("status", "version")] == ["approved", 2]
    assert client.get(f"/v1/meets/{meet['id']}").get_json()["approved"] == {"seller": 1, "buyer": 0}
    events = [e["type"] for e in outbox_events(db, "applications", f"{meet['id']}:{seller_id}")]
    assert events.count("bsm.registration.participation.approved.v1") == 1
    withdrawn = client.post(f"{url}/withdrawal", json={}, headers=ORGANISER)
    withdrawn_again = client.post(f"{url}/withdrawal", json={}, headers=ORGANISER)
    assert (withdrawn.status_code, withdrawn_again.status_code) == (200, 200)
    assert withdrawn_again.get_json()["version"] == withdrawn.get_json()["version"]
    assert client.get(f"/v1/meets/{meet['id']}").get_json()["approved"] == {"seller": 0, "buyer": 0}


def test_the_same_decision_sent_many_times_at_once_is_made_once_and_takes_one_place(client, db):
    """Eleven approvals of one seller at once beside one of another, on a meet with two
    places: each of the eleven finds the approval made (200), the other seller is not
    refused for a place counted twice for a moment, and one event goes out."""
    from concurrent.futures import ThreadPoolExecutor

    for round_ in range(3):
        meet = open_meet(client, capacity_sellers=2)
        slot = meet["slots"][0]["id"]
        first, second = [register(client, phone=f"+9198210{round_}000{n}", gstin=None, email=None)["id"] for n in range(2)]
        for seller_id in (first, second):
            assert client.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": seller_id, "availability": [slot]}, headers=ORGANISER).status_code == 201

        def approve(seller_id):
            return client.application.test_client().post(f"/v1/meets/{meet['id']}/applications/{seller_id}/decision", json={"decision": "approve"}, headers=ORGANISER)

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(approve, [first] * 11 + [second]))
        assert [a.status_code for a in answers] == [200] * 12, [a.get_json() for a in answers if a.status_code != 200]
        assert {a.get_json()["version"] for a in answers[:11]} == {2}
        assert client.get(f"/v1/meets/{meet['id']}").get_json()["approved"] == {"seller": 2, "buyer": 0}
        events = [e["type"] for e in outbox_events(db, "applications", f"{meet['id']}:{first}")]
        assert events.count("bsm.registration.participation.approved.v1") == 1


def test_a_rejection_needs_a_reason(client):
    meet = open_meet(client)
    seller = register(client)
    client.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": seller["id"], "availability": [meet["slots"][0]["id"]]}, headers=ORGANISER)
    url = f"/v1/meets/{meet['id']}/applications/{seller['id']}/decision"
    assert client.post(url, json={"decision": "reject"}, headers=ORGANISER).status_code == 422
    rejected = client.post(url, json={"decision": "reject", "reason": "Products outside this meet's categories"}, headers=ORGANISER).get_json()
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Products outside this meet's categories")


def test_a_participant_chooses_their_times_again_and_the_change_is_announced_once(client, db, seller_and_token):
    seller, headers = seller_and_token
    meet = open_meet(client)
    slots = [s["id"] for s in meet["slots"]]
    applied = client.post(f"/v1/meets/{meet['id']}/applications", json={"availability": slots[:2]}, headers=headers).get_json()
    url = f"/v1/meets/{meet['id']}/applications/{seller['id']}/availability"
    changed = client.put(url, json={"availability": slots[2:4]}, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["availability"], body["status"], body["version"]) == (sorted(slots[2:4]), "applied", applied["version"] + 1)
    again = client.put(url, json={"availability": list(reversed(slots[2:4]))}, headers=headers)
    assert again.get_json()["version"] == body["version"], "the same choice again changes nothing"
    every = client.put(url, json={"availability": "all"}, headers=ORGANISER).get_json()
    assert every["availability"] == sorted(slots) and every["all_slots"] is True
    types = [e["type"] for e in outbox_events(db, "applications", applied["id"])]
    assert types == ["bsm.registration.participation.applied.v1"] + ["bsm.registration.participation.availability_changed.v1"] * 2
    [first_change, _] = [e for e in outbox_events(db, "applications", applied["id"]) if e["type"].endswith("availability_changed.v1")]
    assert sorted(first_change["data"]["availability"]) == sorted(slots[2:4])


def test_times_chosen_again_outside_the_rules_are_refused_and_change_nothing(client, db, seller_and_token):
    seller, headers = seller_and_token
    meet = open_meet(client)
    slot = meet["slots"][0]["id"]
    client.post(f"/v1/meets/{meet['id']}/applications", json={"availability": [slot]}, headers=headers)
    url = f"/v1/meets/{meet['id']}/applications/{seller['id']}/availability"
    unknown = client.put(url, json={"availability": ["2020-01-01T0900"]}, headers=headers)
    assert unknown.status_code == 422 and "availability" in unknown.get_json()["errors"]
    none = client.put(url, json={"availability": []}, headers=headers)
    assert none.status_code in (400, 422) and "availability" in none.get_json()["errors"]
    other = register(client, phone="+919820000077", gstin=None, email=None)
    assert client.put(url, json={"availability": "all"}, headers=token_for(client, db, other["id"])).status_code == 403
    assert client.put(f"/v1/meets/{meet['id']}/applications/{other['id']}/availability", json={"availability": "all"}, headers=ORGANISER).status_code == 404
    client.post(f"/v1/meets/{meet['id']}/applications/{seller['id']}/withdrawal", json={}, headers=headers)
    withdrawn = client.put(url, json={"availability": "all"}, headers=headers)
    assert withdrawn.status_code == 409 and withdrawn.headers["Content-Type"].startswith("application/problem+json")
    stored = client.get(f"/v1/meets/{meet['id']}/applications/{seller['id']}", headers=ORGANISER).get_json()
    assert (stored["availability"], stored["status"]) == ([slot], "withdrawn")
