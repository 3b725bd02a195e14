"""A draft built while the meet is under way places new meetings in slots still to come.

Found by a user trial: on a meet dated today, 16 of 22 drafted meetings were in slots that
had already begun, and publishing them told people to attend meetings in the past.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import ORGANISER
from tests.api.test_matching_api import clock_at, matching, meet_with_people  # noqa: F401 (fixtures)

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
