"""State rules: no meet in the past unless recorded as historical; nothing changes on a
meet that is completed or cancelled (409), in registration and in matching."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import registration as catalogue
from shared.outbox import stored_events
from services.matching import actions
from services.registration.messages import meet_event
from tests.api.conftest import MEET, ORGANISER, outbox_events
from tests.api.test_matching_api import clock_at, matching, meet_with_people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack
PAST = {"days": ["2020-01-01"], "registration_opens": None, "registration_closes": None}


def test_a_meet_in_the_past_is_refused_naming_its_days(client):
    response = client.post("/v1/meets", json={**MEET, **PAST}, headers=ORGANISER)
    assert response.status_code == 422 and "days" in response.get_json()["errors"]
    assert "historical" in response.get_json()["detail"]


def test_a_meet_that_already_happened_is_recorded_as_historical_and_says_so_in_its_events(client, db):
    response = client.post("/v1/meets", json={**MEET, **PAST, "historical": True}, headers=ORGANISER)
    assert response.status_code == 201, response.get_json()
    meet = response.get_json()
    assert meet["historical"] is True
    [created] = outbox_events(db, "meets", meet["id"])
    assert created["data"]["historical"] is True
    assert client.post("/v1/meets", json={**MEET, "historical": True}, headers=ORGANISER).status_code == 422
    flipped = client.patch(f"/v1/meets/{meet['id']}", json={"historical": False}, headers={**ORGANISER, "If-Match": '"1"'})
    assert flipped.status_code == 422 and "historical" in flipped.get_json()["errors"]


def test_a_new_meet_announces_that_it_is_not_historical(client, db):
    meet = client.post("/v1/meets", json=MEET, headers=ORGANISER).get_json()
    assert catalogue.MeetV1().load(meet_event(catalogue.MEET_CREATED, _stored(client, meet["id"])).data)["historical"] is False
    assert meet["historical"] is False


def _stored(client, meet_id):
    return client.application.extensions["registration"].meets.get(meet_id)[0]


def _finish(deliver, meet, status):
    meet.status, meet.version = status, meet.version + 10
    deliver(meet_event(catalogue.MEET_STATUS_CHANGED, meet, "live"))


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_nothing_under_a_finished_meet_changes_in_matching(meet_with_people, status):
    client, deliver, meet = meet_with_people
    assert client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    asked = client.post(f"/v1/meets/{meet.id}/requests", json={"from_id": "s1", "to_id": "b2", "message": "Hello"}, headers=ORGANISER)
    assert asked.status_code == 201
    _finish(deliver, meet, status)
    base = f"/v1/meets/{meet.id}"
    attempts = {
        "publish": client.post(f"{base}/schedule/publish", headers=ORGANISER),
        "draft": client.post(f"{base}/schedule/draft", json={}, headers=ORGANISER),
        "preference": client.put(f"{base}/preferences/b1/s1", json={"preference": "no_thanks"}, headers=ORGANISER),
        "request": client.post(f"{base}/requests", json={"from_id": "s2", "to_id": "b1"}, headers=ORGANISER),
        "walk-in": client.post(f"{base}/walk-ins", json={"seller_id": "s2", "buyer_id": "b2"}, headers=ORGANISER),
        "lock": client.post(f"{base}/schedule/locks", json={"seller_id": "s2", "buyer_id": "b2", "slot_id": meet.slots()[0].id}, headers=ORGANISER),
        "interpreter": client.put(f"{base}/interpreters/i1", json={"name": "Irfan", "languages": ["ks", "de"], "availability": [meet.slots()[0].id]}, headers=ORGANISER),
        "interpreter removed": client.delete(f"{base}/interpreters/i1", headers=ORGANISER),
        "check-in": client.post(f"{base}/check-ins", json={"participant_id": "s1"}, headers=ORGANISER),
        "accept": client.post(f"/v1/requests/{asked.get_json()['id']}/accept", headers=ORGANISER),
    }
    assert {name: r.status_code for name, r in attempts.items()} == {name: 409 for name in attempts}
    assert all(status in r.get_json()["detail"] for r in attempts.values())
    assert client.get(f"{base}/meetings", headers=ORGANISER).get_json()["items"] == []
    assert client.post(f"{base}/schedule/publish").status_code == 401


def test_an_loi_recorded_after_the_fact_is_asked_about_once_not_three_times(meet_with_people):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meeting = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"][0]
    today = date(2027, 12, 1)
    clock_at(client, datetime(2027, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Kolkata")))
    loi = {"product": "Pashmina shawl", "quantity": {"value": "5", "unit": "piece"}, "value": {"amount": "100000"}, "signed_on": "2027-07-30"}
    signed = client.post(f"/v1/meetings/{meeting['id']}/loi", json=loi, headers=ORGANISER)
    assert signed.status_code == 201
    assert [f["status"] for f in signed.get_json()["loi"]["follow_up"]] == ["due"] + ["past_when_recorded"] * 3
    assert signed.get_json()["next_follow_up_due"] == today.isoformat()
    context = client.application.extensions["matching"]
    assert actions.announce_follow_ups_due(context, today) == 1
    assert actions.announce_follow_ups_due(context, today) == 0
    stored = context.meetings.collection.find_one({"_id": meeting["id"]})
    [due] = [e.data for e in stored_events(stored) if e.type.endswith("follow_up_due.v1")]
    assert (due["due"], due["days_after_signing"]) == (today.isoformat(), (today - date(2027, 7, 30)).days)
    assert stored["next_follow_up_due"] is None


@pytest.mark.parametrize("end", ["completed", "cancelled"])
def test_who_takes_part_is_settled_once_a_meet_is_finished(client, db, end):
    from tests.api.conftest import open_meet, register

    held = {"days": [(date.today() - timedelta(days=3)).isoformat()], "historical": True, "registration_opens": None, "registration_closes": None}
    meet = open_meet(client, **(held if end == "completed" else {}))  # completed once its last slot has begun
    seller = register(client)
    slot = meet["slots"][0]["id"]
    url = f"/v1/meets/{meet['id']}/applications"
    assert client.post(url, json={"participant_id": seller["id"], "availability": [slot]}, headers=ORGANISER).status_code == 201
    path = ["cancelled"] if end == "cancelled" else ["registration_closed", "scheduled", "live", "completed"]
    for status in path:
        assert client.post(f"/v1/meets/{meet['id']}/status", json={"status": status}, headers=ORGANISER).status_code == 200
    decided = client.post(f"{url}/{seller['id']}/decision", json={"decision": "approve"}, headers=ORGANISER)
    withdrawn = client.post(f"{url}/{seller['id']}/withdrawal", json={}, headers=ORGANISER)
    assert (decided.status_code, withdrawn.status_code) == (409, 409)
    assert end in decided.get_json()["detail"]
