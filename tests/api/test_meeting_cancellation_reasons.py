"""Every way matching cancels a published meeting says why in its ``meeting.cancelled``
event (``cancel_reason``), once, so that notifications can tell both sides: a withdrawal
from registration, an organiser's record that someone cancelled or did not show, a meet
edit that takes the meeting's slot away, a participant who gives up the meeting's time.

The meet, its people and its published schedule are ``test_meet_edits_after_publication``'s;
the events are read from the meetings' outboxes, as the relay would publish them.
"""
import pytest

from shared import contracts
from shared.contracts import matching as matching_catalogue
from shared.outbox import stored_events
from services.registration.domain.applications import Application
from services.registration.messages import availability_changed, participation_event
from tests.api.conftest import ORGANISER
from tests.api import test_meet_edits_after_publication as edits
from tests.api.test_meet_edits_after_publication import DAY_ONE, edit, meetings_of

pytestmark = pytest.mark.stack
matching_at, published = edits.matching_at, edits.published  # the fixtures its tests take


def reasons_told(client, meeting_ids) -> dict[str, list[str | None]]:
    """Meeting id -> the ``cancel_reason`` of each of its cancellation events, as a consumer reads them."""
    db = client.application.extensions["matching"].profiles.db
    told = {}
    for meeting_id in meeting_ids:
        events = [e for e in stored_events(db["meetings"].find_one({"_id": meeting_id})) if e.type == matching_catalogue.MEETING_CANCELLED]
        told[meeting_id] = [contracts.read_data(event)["cancel_reason"] for event in events]
    return told


def cancelled_ids(client, meet_id: str) -> set[str]:
    return {i for i, m in meetings_of(client, meet_id).items() if m["status"] == "cancelled"}


def test_a_withdrawal_from_registration_says_the_person_left(published):
    client, deliver, meet = published
    theirs = {i for i, m in meetings_of(client, meet.id).items() if m["seller_id"] == "s1"}
    assert theirs
    withdrawal = participation_event(Application(meet.id, "s1", "seller", [s.id for s in meet.slots()], status="withdrawn", version=3), meet)
    deliver(withdrawal)
    deliver(withdrawal)
    assert cancelled_ids(client, meet.id) == theirs
    assert reasons_told(client, theirs) == {i: ["withdrawn"] for i in theirs}


@pytest.mark.parametrize("body, reason", [({"reason": "no_show"}, "no_show"), ({}, "cancelled")])
def test_an_organisers_cancellation_says_what_they_recorded(published, body, reason):
    client, _, meet = published
    theirs = {i for i, m in meetings_of(client, meet.id).items() if m["buyer_id"] == "b1"}
    answer = client.post(f"/v1/meets/{meet.id}/cancellations", json={"participant_id": "b1", **body}, headers=ORGANISER)
    assert answer.status_code == 200, answer.get_json()
    assert set(answer.get_json()["cancelled"]) == theirs
    assert reasons_told(client, theirs) == {i: [reason] for i in theirs}


def test_a_meet_edit_that_takes_the_slot_away_says_the_meet_changed(published):
    client, deliver, meet = published
    on_day_one = {i for i, m in meetings_of(client, meet.id).items() if m["day"] == DAY_ONE.isoformat()}
    assert on_day_one
    edit(deliver, meet, days=[d for d in meet.days if d != DAY_ONE])
    assert cancelled_ids(client, meet.id) == on_day_one
    assert reasons_told(client, on_day_one) == {i: ["meet_changed"] for i in on_day_one}


def test_a_participant_who_gives_up_the_time_says_they_are_not_free_then(published):
    client, deliver, meet = published
    first = min((m for m in meetings_of(client, meet.id).values() if m["seller_id"] == "s2"), key=lambda m: m["slot_index"])
    narrowed = availability_changed(Application(meet.id, "s2", "seller", [s.id for s in meet.slots() if s.id != first["slot_id"]],
                                                status="approved", version=3), meet)
    deliver(narrowed)
    deliver(narrowed)
    assert cancelled_ids(client, meet.id) == {first["id"]}
    assert reasons_told(client, [first["id"]]) == {first["id"]: ["unavailable"]}

