"""The draft says how good it is and who and what it left out, and why."""
import dataclasses

import pytest

from shared.contracts import registration as catalogue
from services.registration.domain.applications import Application
from services.registration.messages import participant_event, participation_event
from tests.api.conftest import OPERATOR, ORGANISER
from tests.api.test_matching_api import matching, meet_with_people, seller  # noqa: F401  (fixtures)

pytestmark = pytest.mark.stack


def test_the_draft_reports_pairs_left_out_with_reasons_and_people_without_meetings(meet_with_people):
    client, deliver, meet = meet_with_people
    urdu_only = dataclasses.replace(seller(4, "Kupwara"), languages=["ur"], preferred_language="ur", phone="+919811000044")
    deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, urdu_only))
    deliver(participation_event(Application(meet.id, "s4", "seller", [s.id for s in meet.slots()], status="approved", version=2), meet))

    response = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 4, "time_limit_s": 2}, headers=ORGANISER)

    assert response.status_code == 200
    draft = response.get_json()
    stats = draft["stats"]
    assert stats["participants_approved"] == 6
    assert "s4" in draft["without_meetings"]
    assert stats["participants_used"] == 6 - len(draft["without_meetings"])
    left = {(p["seller_id"], p["buyer_id"]): p for p in draft["left_out"]}
    assert left[("s4", "b1")]["reason"] == "no_shared_language" and "interpreter" in left[("s4", "b1")]["detail"]
    assert stats["left_out_by_reason"]["no_shared_language"] == 2
    assert stats["status"] in ("optimal", "feasible") and stats["value"] <= stats["value_bound"]
    assert 0 <= stats["breaks_bound"] <= stats["breaks"]
    everyone_meeting = {who for m in draft["meetings"] for who in (m["seller_id"], m["buyer_id"])}
    assert set(draft["per_person"]) == everyone_meeting
    assert sum(p["idle_slots"] for p in draft["per_person"].values()) == stats["idle_slots"]
    assert stats["meetings_per_person"]["min"] == 0


def test_a_time_limit_out_of_range_is_refused_naming_the_field(meet_with_people):
    client, _, meet = meet_with_people
    response = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"time_limit_s": 0}, headers=ORGANISER)
    assert response.status_code == 422 and "time_limit_s" in response.get_json()["errors"]


def test_the_organiser_requires_meetings_and_windows_and_the_draft_says_which_it_cannot_hold(meet_with_people):
    client, _, meet = meet_with_people
    last = meet.slots()[-1].id
    assert client.put(f"/v1/meets/{meet.id}/preferences/b1/s2", json={"preference": "must_meet"}, headers=ORGANISER).status_code == 200
    body = {"time_limit_s": 2, "required": "must_meet",
            "pairs": [{"seller_id": "s3", "buyer_id": "b2", "slots": [last]}, {"seller_id": "s9", "buyer_id": "b1"}]}

    draft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json=body, headers=ORGANISER).get_json()

    placed = {(m["seller_id"], m["buyer_id"]): m["slot_id"] for m in draft["meetings"]}
    assert placed[("s3", "b2")] == last and ("s2", "b1") in placed
    assert draft["stats"]["required_meetings"] == 3 and draft["stats"]["required_placed"] == 2
    assert [(m["seller_id"], m["reason"]) for m in draft["required_missing"]] == [("s9", "not_approved")]


def test_a_pair_window_naming_a_slot_the_meet_lacks_is_a_422_naming_it(meet_with_people):
    client, _, meet = meet_with_people
    response = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"pairs": [{"seller_id": "s1", "buyer_id": "b1", "slots": ["nope"]}]}, headers=ORGANISER)
    assert response.status_code == 422 and response.get_json()["errors"] == {"pairs": {"0": {"slots": ["No slot nope in this meet."]}}}
    policy = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"required": "all"}, headers=ORGANISER)
    assert policy.status_code == 422 and "required" in policy.get_json()["errors"]


def test_the_draft_ranks_by_the_order_of_objectives_given_and_refuses_a_wrong_one_naming_the_field(meet_with_people):
    client, _, meet = meet_with_people
    default = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"time_limit_s": 1}, headers=ORGANISER).get_json()
    assert default["stats"]["objectives"] == ["required", "value", "breaks"]
    compact = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"time_limit_s": 1, "objectives": ["required", "breaks", "value"]},
                          headers=ORGANISER).get_json()
    assert compact["stats"]["objectives"] == ["required", "breaks", "value"]
    assert compact["stats"]["breaks"] <= default["stats"]["breaks"] and compact["stats"]["value"] <= default["stats"]["value_bound"]
    for wrong in (["value", "breaks"], ["value", "value", "breaks"], ["speed", "value", "breaks"], "breaks"):
        response = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"objectives": wrong}, headers=ORGANISER)
        assert response.status_code == 422 and "objectives" in response.get_json()["errors"], wrong


def test_publish_by_draft_id_refuses_a_draft_that_a_newer_one_replaced(meet_with_people):
    client, _, meet = meet_with_people
    reviewed = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"time_limit_s": 1, "max_meetings": 2}, headers=ORGANISER).get_json()
    newer = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"time_limit_s": 1}, headers=ORGANISER).get_json()
    assert reviewed["draft_id"] != newer["draft_id"]

    stale = client.post(f"/v1/meets/{meet.id}/schedule/publish", json={"draft_id": reviewed["draft_id"]}, headers=ORGANISER)
    assert stale.status_code == 409 and newer["draft_id"] in stale.get_json()["detail"]
    assert client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"] == []

    published = client.post(f"/v1/meets/{meet.id}/schedule/publish", json={"draft_id": newer["draft_id"]}, headers=ORGANISER)
    assert published.status_code == 200 and published.get_json()["newly_published"] == len(newer["meetings"])
    blank = client.post(f"/v1/meets/{meet.id}/schedule/publish", json={"draft_id": ""}, headers=ORGANISER)
    assert blank.status_code == 422 and "draft_id" in blank.get_json()["errors"]


def test_the_draft_under_review_reads_back_whole_without_building_another(meet_with_people):
    client, _, meet = meet_with_people
    url = f"/v1/meets/{meet.id}/schedule/draft"
    none_yet = client.get(url, headers=ORGANISER)
    assert none_yet.status_code == 404 and none_yet.content_type == "application/problem+json"
    built = client.post(url, json={"time_limit_s": 1, "max_meetings": 2}, headers=ORGANISER).get_json()

    for staff in (ORGANISER, OPERATOR):
        read = client.get(url, headers=staff)
        assert read.status_code == 200
        assert read.get_json() == built, "the same draft, stats and report as answered when built"
    again = client.get(url, headers=ORGANISER).get_json()
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", json={"draft_id": again["draft_id"]}, headers=ORGANISER).status_code == 200, \
        "reading a draft does not replace it: the one read can be published"

    newer = client.post(url, json={"time_limit_s": 1, "max_meetings": 3}, headers=ORGANISER)
    assert newer.status_code == 200, newer.get_json()
    assert client.get(url, headers=ORGANISER).get_json() == newer.get_json()
