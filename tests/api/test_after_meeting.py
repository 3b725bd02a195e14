"""Outcomes and Letters of Intent whose dates cannot be true are refused, one meeting at a
time and in bulk (``domain.after_meeting``): nothing is recorded about a meeting whose slot
has not begun (409), and an LoI is signed between its meeting's day and today at the venue
(422 naming ``signed_on``). Matching's clock is stopped where each test needs it."""
from datetime import datetime, timedelta

import pytest

from tests.api.conftest import ORGANISER
from tests.api.test_matching_api import AFTER_THE_MEET, clock_at, matching, meet_with_people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack

PROBLEM = "application/problem+json"
LOI = {"product": "Pashmina shawl", "quantity": {"value": "50", "unit": "piece"}, "value": {"amount": "2500000"}}
DURING_THE_MEET = datetime.fromisoformat("2027-07-30T10:45:00+05:30")
"""Between ``meet_with_people``'s slots: those of 10:00 and 10:30 have begun, 11:00 and 11:30 have not."""


def published(client, meet) -> list[dict]:
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    assert meetings
    return meetings


def test_an_outcome_loi_or_rating_of_a_meeting_still_to_come_is_refused_and_nothing_is_recorded(meet_with_people):
    client, _, meet = meet_with_people
    meeting = published(client, meet)[0]
    url = f"/v1/meetings/{meeting['id']}"
    buyer = {"Authorization": f"Bearer {client.application.extensions['auth'].issue(meeting['buyer_id'])}"}
    held = client.post(f"{url}/outcome", json={"outcome": "held"}, headers=ORGANISER)
    signed = client.post(f"{url}/loi", json={**LOI, "signed_on": "2027-07-30"}, headers=ORGANISER)
    rated = client.post(f"{url}/rating", json={"stars": 5, "wants_to_continue": True}, headers=buyer)
    for refused in (held, signed, rated):
        assert refused.status_code == 409 and refused.content_type == PROBLEM, refused.get_json()
        assert "begun" in refused.get_json()["detail"]
    stored = client.get(url, headers=ORGANISER).get_json()
    assert stored["status"] == "scheduled" and "outcome" not in stored and "loi" not in stored and not stored.get("ratings")

    clock_at(client, datetime.fromisoformat(f"{meeting['day']}T{meeting['start']}:00+05:30"))
    assert client.post(f"{url}/outcome", json={"outcome": "held"}, headers=ORGANISER).status_code == 200
    assert client.post(f"{url}/loi", json={**LOI, "signed_on": meeting["day"]}, headers=ORGANISER).status_code == 201
    assert client.post(f"{url}/rating", json={"stars": 5, "wants_to_continue": True}, headers=buyer).status_code == 200


@pytest.mark.parametrize("signed_on", ["1900-01-01", "2027-07-29", "2027-08-03", "2999-12-31"])
def test_an_loi_signed_before_its_meeting_or_after_today_at_the_venue_is_refused_naming_signed_on(meet_with_people, signed_on):
    client, _, meet = meet_with_people
    meeting = published(client, meet)[0]
    clock_at(client, AFTER_THE_MEET + timedelta(days=2))
    refused = client.post(f"/v1/meetings/{meeting['id']}/loi", json={**LOI, "signed_on": signed_on}, headers=ORGANISER)
    assert refused.status_code == 422 and refused.content_type == PROBLEM, refused.get_json()
    assert list(refused.get_json()["errors"]) == ["signed_on"]
    assert "loi" not in client.get(f"/v1/meetings/{meeting['id']}", headers=ORGANISER).get_json()
    backdated = client.post(f"/v1/meetings/{meeting['id']}/loi", json={**LOI, "signed_on": "2027-08-01"}, headers=ORGANISER)
    assert backdated.status_code == 201 and backdated.get_json()["loi"]["signed_on"] == "2027-08-01"


def test_a_correction_cannot_move_an_loi_to_a_day_it_cannot_have_been_signed(meet_with_people):
    client, _, meet = meet_with_people
    meeting = published(client, meet)[0]
    clock_at(client)
    url = f"/v1/meetings/{meeting['id']}/loi"
    assert client.post(url, json={**LOI, "signed_on": "2027-07-30"}, headers=ORGANISER).status_code == 201
    moved = client.post(url, json={**LOI, "signed_on": "2999-12-31"}, headers=ORGANISER)
    assert moved.status_code == 422 and "signed_on" in moved.get_json()["errors"]
    assert client.get(f"/v1/meetings/{meeting['id']}", headers=ORGANISER).get_json()["loi"]["signed_on"] == "2027-07-30"


def test_bulk_outcomes_and_lois_refuse_each_impossible_item_and_do_the_others(meet_with_people):
    client, _, meet = meet_with_people
    meetings = published(client, meet)
    clock_at(client, DURING_THE_MEET)
    begun = [m for m in meetings if m["start"] < "10:45"]
    to_come = [m for m in meetings if m["start"] > "10:45"]
    assert begun and to_come, [m["start"] for m in meetings]
    first, later = begun[0], to_come[0]

    def pair(m):
        return {"seller_id": m["seller_id"], "buyer_id": m["buyer_id"]}

    outcomes = [{**pair(first), "outcome": "held"}, {**pair(later), "outcome": "held"}]
    done = client.post(f"/v1/meets/{meet.id}/outcomes/bulk", json={"items": outcomes}, headers=ORGANISER).get_json()
    assert [i["status"] for i in done["items"]] == ["done", "refused"]
    assert done["items"][1]["problem"]["status"] == 409 and "begun" in done["items"][1]["problem"]["detail"]

    lois = [{**pair(first), **LOI, "signed_on": "1900-01-01"}, {**pair(first), **LOI, "signed_on": "2999-12-31"},
            {**pair(later), **LOI, "signed_on": "2027-07-30"}, {**pair(first), **LOI, "signed_on": "2027-07-30"}]
    signed = client.post(f"/v1/meets/{meet.id}/lois/bulk", json={"items": lois}, headers=ORGANISER).get_json()
    assert [i["status"] for i in signed["items"]] == ["refused", "refused", "refused", "done"]
    assert [i["problem"]["status"] for i in signed["items"][:3]] == [422, 422, 409]
    assert all(list(i["problem"]["errors"]) == ["signed_on"] for i in signed["items"][:2])
    assert client.get(f"/v1/meetings/{later['id']}", headers=ORGANISER).get_json()["status"] == "scheduled"
    assert client.get(f"/v1/meetings/{first['id']}", headers=ORGANISER).get_json()["loi"]["signed_on"] == "2027-07-30"
