"""``POST /v1/meetings/{id}/loi`` said again: the same LoI is not signed twice (the meeting as
it is, 200, no second ``loi.signed``), by the rule the bulk endpoint calls ``unchanged``
(``follow_ups.recorded_loi``), so both paths agree; other terms correct the meeting's one LoI
(200), keeping where it stands. Only the first LoI of a meeting is created (201)."""
import pytest

from tests.api.conftest import ORGANISER
from tests.helpers import outbox_event_dicts
from tests.api.test_matching_api import clock_at, matching, meet_with_people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack
LOI = {"product": "Pashmina shawl", "quantity": {"value": "10", "unit": "piece"}, "value": {"amount": "150000"}, "signed_on": "2027-07-30"}


def published_meeting(client, meet_id: str) -> dict:
    client.post(f"/v1/meets/{meet_id}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER)
    assert client.post(f"/v1/meets/{meet_id}/schedule/publish", headers=ORGANISER).status_code == 200
    clock_at(client)
    return client.get(f"/v1/meets/{meet_id}/meetings", headers=ORGANISER).get_json()["items"][0]


def as_stored(meeting: dict) -> dict:
    return {k: v for k, v in meeting.items() if k != "correlation_id"}


def signed_events(client, meeting_id: str) -> list[dict]:
    doc = client.application.extensions["matching"].meetings.collection.find_one({"_id": meeting_id})
    return [e for e in outbox_event_dicts(doc) if e["type"].endswith(".loi.signed.v1")]


def test_the_same_loi_five_times_is_signed_once(meet_with_people):
    client, _, meet = meet_with_people
    meeting = published_meeting(client, meet.id)
    url = f"/v1/meetings/{meeting['id']}/loi"
    answers = [client.post(url, json=LOI, headers=ORGANISER) for _ in range(5)]
    assert [a.status_code for a in answers] == [201, 200, 200, 200, 200]
    first = as_stored(answers[0].get_json())
    assert all(as_stored(a.get_json()) == first for a in answers[1:]), "the meeting as it is, unchanged"
    assert len(signed_events(client, meeting["id"])) == 1
    same_in_bulk = client.post(f"/v1/meets/{meet.id}/lois/bulk", json={"items": [{"meeting_id": meeting["id"], **LOI}]}, headers=ORGANISER)
    assert same_in_bulk.get_json()["items"][0]["status"] == "unchanged"
    assert len(signed_events(client, meeting["id"])) == 1
    report = client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()
    assert report["lois"]["count"] == 1 and report["lois"]["value_inr"] == "150000.00"


def test_other_terms_correct_the_one_loi_and_keep_where_it_stands(meet_with_people):
    client, _, meet = meet_with_people
    meeting = published_meeting(client, meet.id)
    url = f"/v1/meetings/{meeting['id']}/loi"
    assert client.post(url, json=LOI, headers=ORGANISER).status_code == 201
    ordered = {"status": "order_placed", "order_value": {"amount": "100000"}}
    assert client.post(f"{url}/follow-up", json=ordered, headers=ORGANISER).status_code == 200
    corrections = [{**LOI, "value": {"amount": str(150000 + 1000 * n)}} for n in range(1, 5)]
    answers = [client.post(url, json=body, headers=ORGANISER) for body in corrections]
    assert [a.status_code for a in answers] == [200] * 4, [a.get_json() for a in answers]
    loi = client.get(f"/v1/meetings/{meeting['id']}", headers=ORGANISER).get_json()["loi"]
    assert loi["status"] == "order_placed" and loi["value_inr"] == "154000.00"
    assert [h["status"] for h in loi["history"]] == ["order_placed"] + ["corrected"] * 4
    assert client.post(url, json=corrections[-1], headers=ORGANISER).status_code == 200
    assert len(signed_events(client, meeting["id"])) == 5, "the LoI once, and each correction once"
    report = client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()
    assert report["lois"]["count"] == 1 and report["lois"]["value_inr"] == "154000.00"


def test_first_lois_sent_at_once_create_one_and_correct_it_with_the_rest(meet_with_people):
    """Ten clients each sending the meeting's first LoI, with different values, at once:
    one is told it created it (201), each other one corrected it (200) or, losing a race,
    decided again on the LoI as it then was: never a second 201, never a 409."""
    from concurrent.futures import ThreadPoolExecutor

    client, _, meet = meet_with_people
    meeting = published_meeting(client, meet.id)
    url = f"/v1/meetings/{meeting['id']}/loi"

    def sign(n):
        return client.application.test_client().post(url, json={**LOI, "value": {"amount": str(150000 + 1000 * n)}}, headers=ORGANISER)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(sign, range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [a.get_json() for a in answers if a.status_code not in (200, 201)]
    loi = client.get(f"/v1/meetings/{meeting['id']}", headers=ORGANISER).get_json()["loi"]
    assert [h["status"] for h in loi.get("history", [])] == ["corrected"] * 9
    assert len(signed_events(client, meeting["id"])) == 10
