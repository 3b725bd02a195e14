"""A draft built while the meet is under way places new meetings in slots still to come.

Found by a user trial: on a meet dated today, 16 of 22 drafted meetings were in slots that
had already begun, and publishing them told people to attend meetings in the past.
"""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import registration as catalogue
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER
from tests.api.test_matching_api import buyer, clock_at, matching, meet_with_people, seller  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack

BEFORE = datetime(2027, 7, 30, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
HALF_WAY = datetime(2027, 7, 30, 10, 45, tzinfo=ZoneInfo("Asia/Kolkata"))
"""``meet_with_people``'s day, 10:00-12:00 in 30-minute slots: at 10:45 the first two have begun."""


def draft(client, meet_id: str) -> list[dict]:
    answer = client.post(f"/v1/meets/{meet_id}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["meetings"]


def test_a_draft_half_way_through_the_meet_uses_only_slots_still_to_come(meet_with_people):
    client, _, meet = meet_with_people
    slots = [s.id for s in meet.slots()]
    clock_at(client, HALF_WAY)
    meetings = draft(client, meet.id)
    assert meetings and {m["slot_id"] for m in meetings} <= set(slots[2:])


def test_meetings_published_in_slots_now_begun_are_kept_and_new_ones_go_later(meet_with_people):
    client, _, meet = meet_with_people
    slots = [s.id for s in meet.slots()]
    clock_at(client, BEFORE)
    published = draft(client, meet.id)
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200
    clock_at(client, HALF_WAY)
    again = draft(client, meet.id)
    kept = {(m["seller_id"], m["buyer_id"], m["slot_id"]) for m in again if m["published"]}
    assert kept == {(m["seller_id"], m["buyer_id"], m["slot_id"]) for m in published}
    assert {m["slot_id"] for m in again if not m["published"]} <= set(slots[2:])


def test_a_draft_built_before_its_slots_began_is_not_published_once_they_have(meet_with_people):
    client, _, meet = meet_with_people
    slots = [s.id for s in meet.slots()]
    clock_at(client, BEFORE)
    drafted = draft(client, meet.id)
    assert {m["slot_id"] for m in drafted} & set(slots[:2])
    clock_at(client, HALF_WAY)
    refused = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert refused.status_code == 409 and "have begun since it was built" in refused.get_json()["detail"]
    assert client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"] == []
    draft(client, meet.id)
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200
    published = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    assert published and {m["slot_id"] for m in published} <= set(slots[2:])



def test_a_historical_meet_is_drafted_and_published_in_its_past_slots(matching):
    """A meet recorded after it happened (``historical``) has every slot begun: its schedule
    is entered as it was held."""
    client, deliver = matching
    meet = Meet(name="Last week's BSM", venue="SKICC", city="Srinagar", days=[date(2026, 1, 15)], session_start=time(10), session_end=time(11),
                meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, historical=True, id="meet-historical")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    for person in (seller(1, "Srinagar"), buyer(1)):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status="approved", version=2), meet))
    assert draft(client, meet.id)
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200
    assert len(client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]) == 1
