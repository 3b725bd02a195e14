from datetime import date, timedelta

import pytest

from tests.api.conftest import MEET, ORGANISER, outbox_events

pytestmark = pytest.mark.stack


def create(client, **overrides):
    return client.post("/v1/meets", json={**MEET, **overrides}, headers=ORGANISER)


def test_an_organiser_creates_a_meet_with_its_slots(client, db):
    response = create(client)
    assert response.status_code == 201
    meet = response.get_json()
    assert response.headers["Location"] == f"/v1/meets/{meet['id']}"
    assert response.headers["ETag"] == '"1"'
    assert meet["status"] == "draft"
    starts = [s["start"] for s in meet["slots"]]
    assert starts == ["10:00", "10:20", "10:40", "11:20", "11:40", "12:00", "12:20", "12:40"]
    [event] = outbox_events(db, "meets", meet["id"])
    assert event["type"] == "bsm.registration.meet.created.v1"
    assert len(event["data"]["slots"]) == 8
    listed = client.get(f"/v1/meets/{meet['id']}/slots").get_json()
    assert listed == {"items": meet["slots"]}
    documented = client.get("/openapi.json").get_json()["paths"]["/v1/meets/{meet_id}/slots"]["get"]["responses"]["200"]
    schema = documented["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(client.get("/openapi.json").get_json()["components"]["schemas"][schema]["properties"]) == set(listed), \
        "the document describes the answer as it is (a list under items)"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"session_end": "09:00"}, "session_end"),
        ({"meeting_minutes": 500}, "meeting_minutes"),
        ({"days": []}, "days"),
        ({"breaks": [{"start": "09:00", "end": "09:30"}]}, "breaks"),
        ({"tables": 0}, "tables"),
        ({"days": ["2027-07-30", "not a date"]}, "days"),
    ],
)
def test_a_meet_that_cannot_run_is_refused_naming_the_field(client, overrides, field):
    response = create(client, **overrides)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("zone", ["IST", "Mars/Olympus", "GMT+5:30", "asia/kolkata", "Factory", "localtime", "", "../../etc/passwd"])
def test_a_time_zone_must_be_an_iana_name_on_create_and_edit(client, db, zone):
    created = create(client, timezone=zone)
    assert created.status_code == 422
    assert created.headers["Content-Type"] == "application/problem+json"
    assert "IANA" in created.get_json()["errors"]["timezone"][0]
    meet = create(client).get_json()
    edited = client.patch(f"/v1/meets/{meet['id']}", json={"timezone": zone}, headers={**ORGANISER, "If-Match": '"1"'})
    assert edited.status_code == 422 and "timezone" in edited.get_json()["errors"]
    assert client.get(f"/v1/meets/{meet['id']}").get_json()["timezone"] == "Asia/Kolkata"
    assert len(outbox_events(db, "meets", meet["id"])) == 1


def test_a_time_zone_differing_only_in_case_gets_its_spelling_suggested(client):
    refused = create(client, timezone="asia/kolkata")
    assert "did you mean Asia/Kolkata?" in refused.get_json()["errors"]["timezone"][0]


@pytest.mark.parametrize("zone", ["Asia/Dubai", "Europe/London", "UTC", "Etc/GMT-5"])
def test_iana_time_zones_are_kept(client, zone):
    response = create(client, timezone=zone)
    assert response.status_code == 201
    assert response.get_json()["timezone"] == zone


def test_the_lifecycle_allows_only_legal_moves(client):
    held = (date.today() - timedelta(days=3)).isoformat()
    meet = create(client, days=[held], historical=True, registration_opens=None, registration_closes=None).get_json()

    def move(status):
        return client.post(f"/v1/meets/{meet['id']}/status", json={"status": status}, headers=ORGANISER)

    assert move("live").status_code == 409
    for status in ("registration_open", "registration_closed", "scheduled", "live", "completed"):
        response = move(status)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == status
    refused = move("cancelled")
    assert refused.status_code == 409
    assert "cannot become cancelled" in refused.get_json()["detail"]
    again = move("completed")
    assert (again.status_code, again.get_json()["status"], again.get_json()["version"]) == (200, "completed", response.get_json()["version"])


def test_a_meet_is_not_completed_before_its_last_slot_has_begun(client):
    """Completed, a meet sends its results and thank-yous: not while meetings are to come."""
    meet = create(client).get_json()
    for status in ("registration_open", "registration_closed", "scheduled", "live"):
        assert client.post(f"/v1/meets/{meet['id']}/status", json={"status": status}, headers=ORGANISER).status_code == 200
    refused = client.post(f"/v1/meets/{meet['id']}/status", json={"status": "completed"}, headers=ORGANISER)
    assert refused.status_code == 409 and "status" in refused.get_json()["errors"]
    last = meet["slots"][-1]
    assert f"last slot begins at {last['day']} {last['start']} (Asia/Kolkata)" in refused.get_json()["detail"], refused.get_json()
    assert client.get(f"/v1/meets/{meet['id']}").get_json()["status"] == "live"


def test_the_same_status_sent_many_times_at_once_is_one_change_and_never_a_412(client, db):
    """Nobody sent If-Match, so a lost race inside is the server's to settle."""
    from concurrent.futures import ThreadPoolExecutor

    meet = create(client).get_json()

    def move(_):
        return client.application.test_client().post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_open"}, headers=ORGANISER)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(move, range(10)))
    assert [a.status_code for a in answers] == [200] * 10, [a.get_json() for a in answers if a.status_code != 200]
    assert {(a.get_json()["status"], a.get_json()["version"]) for a in answers} == {("registration_open", 2)}
    events = [e["type"] for e in outbox_events(db, "meets", meet["id"])]
    assert events.count("bsm.registration.meet.status_changed.v1") == 1


def test_edits_need_the_current_etag(client):
    meet = create(client).get_json()
    url = f"/v1/meets/{meet['id']}"
    assert client.patch(url, json={"tables": 20}, headers=ORGANISER).status_code == 428
    first = client.patch(url, json={"tables": 20}, headers={**ORGANISER, "If-Match": '"1"'})
    assert first.status_code == 200 and first.get_json()["tables"] == 20 and first.headers["ETag"] == '"2"'
    second = client.patch(url, json={"tables": 30}, headers={**ORGANISER, "If-Match": '"1"'})
    assert second.status_code == 412
    assert second.get_json()["current_version"] == 2
    assert client.get(url).get_json()["tables"] == 20
    listed = client.patch(url, json={"tables": 25}, headers={**ORGANISER, "If-Match": '"x", "1", "2"'})
    assert listed.status_code == 200 and listed.get_json()["tables"] == 25, "a list matches when one of its ETags is current (RFC 9110 13.1.1)"
    assert client.patch(url, json={"tables": 26}, headers={**ORGANISER, "If-Match": '"1", "2"'}).status_code == 412
    assert client.patch(url, json={"tables": 26}, headers={**ORGANISER, "If-Match": "*"}).get_json()["tables"] == 26


def test_meets_are_listed_by_page_and_filtered(client):
    ids = [create(client, name=f"Meet {n}").get_json()["id"] for n in range(5)]
    client.post(f"/v1/meets/{ids[0]}/status", json={"status": "registration_open"}, headers=ORGANISER)
    first = client.get("/v1/meets?limit=2&sort=name").get_json()
    assert [m["name"] for m in first["items"]] == ["Meet 0", "Meet 1"]
    rest = client.get(f"/v1/meets?limit=10&sort=name&cursor={first['next_cursor']}").get_json()
    assert [m["name"] for m in rest["items"]] == ["Meet 2", "Meet 3", "Meet 4"] and rest["next_cursor"] is None
    open_only = client.get("/v1/meets?status=registration_open").get_json()["items"]
    assert [m["id"] for m in open_only] == [ids[0]]
    assert client.get("/v1/meets?cursor=garbage").status_code == 400
    assert client.get("/v1/meets?sort=venue").status_code == 422
    for other_list in (f"/v1/meets?limit=10&sort=-name&cursor={first['next_cursor']}", f"/v1/meets?sort=name&status=draft&cursor={first['next_cursor']}",
                       f"/v1/sellers?sort=name&cursor={first['next_cursor']}"):
        refused = client.get(other_list, headers=ORGANISER)
        assert refused.status_code == 400 and "cursor" in refused.get_json()["errors"], (other_list, refused.get_json())
        assert "another list" in refused.get_json()["detail"]
