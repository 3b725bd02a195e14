"""A meet edited after its schedule was published: the published meetings follow the meet.

Registration lets an organiser edit a meet while it is draft, open or closed, and matching
may publish while it is open or closed; registration's real events are delivered to
matching's handlers on the real FerretDB (as in ``test_matching_api``). A meeting whose
slot or table no longer exists, or whose participant no longer attends its slot, is
cancelled once however often the event comes, the rest keep their place with the slot
index of the changed meet, and the next draft works.
"""
from dataclasses import replace
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import matching as matching_catalogue
from shared.contracts import registration as catalogue
from shared.envelope import Event
from shared.outbox import stored_events
from services.matching.app import create_app
from services.matching.handlers import build_handlers
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import availability_changed, meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER
from tests.api.test_matching_api import buyer, seller
from tests.helpers import outbox_event_dicts

pytestmark = pytest.mark.stack

DAY_ONE, DAY_TWO = date(2027, 7, 30), date(2027, 7, 31)


@pytest.fixture
def matching_at(settings_for):
    """``test_matching_api.matching`` whose handlers read the time from ``now["at"]``
    (the time now while it is None)."""
    settings = settings_for("matching")
    app = create_app(settings)
    now = {"at": None}
    handlers = build_handlers(app.extensions["matching"].profiles.db, settings, clock=lambda: now["at"] or datetime.now(timezone.utc))

    def deliver(event: Event) -> None:
        handlers[event.type](event)

    return app.test_client(), deliver, now


@pytest.fixture
def published(matching_at):
    """A two-day meet (10:00-12:00, 30-minute meetings, 3 tables) with 4 sellers and 3
    buyers available throughout, its schedule drafted and published."""
    client, deliver, _ = matching_at
    meet = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[DAY_ONE, DAY_TWO], session_start=time(10), session_end=time(12),
                meeting_minutes=30, tables=3, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-edit")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    people = [seller(1, "Srinagar"), seller(2, "Budgam"), seller(3, "Pulwama"), seller(4, "Anantnag"), buyer(1), buyer(2), buyer(3)]
    for person in people:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status="approved", version=2), meet))
    assert client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 8}, headers=ORGANISER).status_code == 200
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200
    return client, deliver, meet


def meetings_of(client, meet_id: str) -> dict[str, dict]:
    items = client.get(f"/v1/meets/{meet_id}/meetings?limit=200", headers=ORGANISER).get_json()["items"]
    return {m["id"]: m for m in items}


def events_of(client, meeting_id: str) -> list[str]:
    db = client.application.extensions["matching"].profiles.db
    return [e.type for e in stored_events(db["meetings"].find_one({"_id": meeting_id}))]


def edit(deliver, meet: Meet, **changes) -> Meet:
    """Deliver the MEET_UPDATED event of ``meet`` with ``changes``, twice (a redelivery)."""
    changed = replace(meet, **changes, version=meet.version + 1)
    event = meet_event(catalogue.MEET_UPDATED, changed)
    deliver(event)
    deliver(event)
    return changed


def assert_consistent(client, meet: Meet, before: dict[str, dict], after: dict[str, dict]) -> None:
    """Every live meeting is in a slot and at a table of the changed meet, with that slot's
    index and times, no two at one place; every cancelled one says why, with one
    cancellation event; every meeting's events are its scheduling, once, then at most one
    change."""
    slots = {s.id: (i, s) for i, s in enumerate(meet.slots())}
    places = set()
    for meeting_id, m in after.items():
        kinds = events_of(client, meeting_id)
        if m["status"] == "scheduled":
            index, slot = slots[m["slot_id"]]
            assert m["slot_index"] == index and 1 <= m["table"] <= meet.tables, m
            assert (m["day"], m["start"], m["end"]) == (slot.day.isoformat(), slot.start.strftime("%H:%M"), slot.end.strftime("%H:%M"))
            for place in ((m["slot_id"], "table", m["table"]), (m["slot_id"], m["seller_id"]), (m["slot_id"], m["buyer_id"])):
                assert place not in places
                places.add(place)
            assert matching_catalogue.MEETING_CANCELLED not in kinds
        else:
            assert m["status"] == "cancelled" and m["cancel_reason"] in ("meet_changed", "unavailable"), m
            assert kinds.count(matching_catalogue.MEETING_CANCELLED) == 1, kinds
    assert set(after) == set(before)


def redraft(client, meet: Meet) -> dict:
    response = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 8}, headers=ORGANISER)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_fewer_tables_cancel_or_move_the_meetings_beyond_them_and_the_next_draft_works(published):
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    assert any(m["table"] == 3 for m in before.values())
    changed = edit(deliver, meet, tables=1)
    after = meetings_of(client, meet.id)
    assert_consistent(client, changed, before, after)
    assert any(m["status"] == "cancelled" for m in after.values())
    moved = [i for i, m in after.items() if m["status"] == "scheduled" and m["table"] != before[i]["table"]]
    assert moved, "a meeting alone in its slot at table 2 or 3 moves to table 1"
    for meeting_id in moved:
        assert after[meeting_id]["version"] == before[meeting_id]["version"] + 1
        assert events_of(client, meeting_id) == [matching_catalogue.MEETING_SCHEDULED], "a moved meeting is announced again, once"
    draft = redraft(client, changed)
    assert all(m["table"] == 1 for m in draft["meetings"])
    cancelled = {(m["seller_id"], m["buyer_id"]) for m in after.values() if m["status"] == "cancelled"}
    why = {(lo["seller_id"], lo["buyer_id"]): lo for lo in draft["left_out"] if (lo["seller_id"], lo["buyer_id"]) in cancelled}
    assert why and {lo["reason"] for lo in why.values()} == {"had_meeting"}, "not 'no thanks': nobody said it"
    assert all("was cancelled (meet_changed)" in lo["detail"] for lo in why.values())


def test_a_new_meeting_length_cancels_meetings_whose_slot_is_gone_and_reindexes_the_rest(published):
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    changed = edit(deliver, meet, meeting_minutes=20)
    after = meetings_of(client, meet.id)
    assert_consistent(client, changed, before, after)
    kept = {s.id for s in changed.slots()} & {s.id for s in meet.slots()}
    for meeting_id, m in after.items():
        assert (m["status"] == "scheduled") == (before[meeting_id]["slot_id"] in kept), m
    redraft(client, changed)


def test_a_day_taken_away_cancels_its_meetings_and_moves_the_other_day_s_index(published):
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    assert any(m["day"] == DAY_ONE.isoformat() for m in before.values()) and any(m["day"] == DAY_TWO.isoformat() for m in before.values())
    changed = edit(deliver, meet, days=[DAY_TWO])
    after = meetings_of(client, meet.id)
    assert_consistent(client, changed, before, after)
    for meeting_id, m in after.items():
        assert m["status"] == ("cancelled" if before[meeting_id]["day"] == DAY_ONE.isoformat() else "scheduled")
    draft = redraft(client, changed)
    assert all(m["slot_id"].startswith(DAY_TWO.isoformat()) for m in draft["meetings"])


def test_a_break_added_cancels_the_meetings_it_covers(published):
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    changed = edit(deliver, meet, breaks=[_break(time(10, 30), time(11))])
    after = meetings_of(client, meet.id)
    assert_consistent(client, changed, before, after)
    assert all(m["status"] == "cancelled" for m in after.values() if m["start"] == "10:30")
    redraft(client, changed)


def test_narrowed_availability_cancels_the_meetings_in_slots_left_out(published):
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    theirs = sorted((m for m in before.values() if m["seller_id"] == "s1"), key=lambda m: m["slot_index"])
    assert len(theirs) >= 2
    attends = [s.id for s in meet.slots() if s.id != theirs[0]["slot_id"]]
    narrowed = availability_changed(Application(meet.id, "s1", "seller", attends, status="approved", version=3), meet)
    deliver(narrowed)
    deliver(narrowed)
    after = meetings_of(client, meet.id)
    assert_consistent(client, meet, before, after)
    assert after[theirs[0]["id"]]["status"] == "cancelled" and after[theirs[0]["id"]]["cancel_reason"] == "unavailable"
    assert all(after[m["id"]]["status"] == "scheduled" for m in theirs[1:])
    assert [m for m in after.values() if m["status"] == "cancelled"] == [after[theirs[0]["id"]]]
    redraft(client, meet)


def test_a_slot_taken_away_is_meet_changed_even_when_the_trimmed_availability_comes_first(published):
    """Registration carries every application onto the edited meet's slots and announces
    both; the applications' events (other keys, other partitions) can reach matching
    before the meet's. A meeting in a slot the edit removed is still cancelled as
    ``meet_changed``, not as if its people had given the slot up; one in a slot a person
    did give up on the new version is ``unavailable``."""
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    changed = replace(meet, days=[DAY_TWO], version=meet.version + 1)
    day_two = [s.id for s in changed.slots()]
    on_day_two = sorted((m for m in before.values() if m["day"] == DAY_TWO.isoformat()), key=lambda m: m["slot_index"])
    assert on_day_two and any(m["day"] == DAY_ONE.isoformat() for m in before.values())
    giver = on_day_two[0]["seller_id"]
    theirs = [m for m in on_day_two if m["seller_id"] == giver]
    given_up = theirs[0]["slot_id"]
    for person, role in (("s1", "seller"), ("s2", "seller"), ("s3", "seller"), ("s4", "seller"), ("b1", "buyer"), ("b2", "buyer"), ("b3", "buyer")):
        attends = [s for s in day_two if not (person == giver and s == given_up)]
        carried = Application(meet.id, person, role, attends, status="approved", version=3, slots_version=changed.version)
        deliver(availability_changed(carried, changed))
    assert all(m["status"] == "scheduled" for m in meetings_of(client, meet.id).values()), "nothing is decided on a meet version not yet here"
    deliver(meet_event(catalogue.MEET_UPDATED, changed))
    after = meetings_of(client, meet.id)
    assert_consistent(client, changed, before, after)
    reasons = {m["id"]: m.get("cancel_reason") for m in after.values() if m["status"] == "cancelled"}
    assert {r for i, r in reasons.items() if before[i]["day"] == DAY_ONE.isoformat()} == {"meet_changed"}
    assert reasons[theirs[0]["id"]] == "unavailable"
    assert all(after[m["id"]]["status"] == "scheduled" for m in theirs[1:])
    assert client.application.extensions["matching"].meets.meet_versions_awaited(meet.id) == []


def test_meetings_that_have_begun_are_kept_as_they_were(published, matching_at):
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    matching_at[2]["at"] = datetime.combine(DAY_ONE, time(11, 15), ZoneInfo("Asia/Kolkata"))
    changed = edit(deliver, meet, tables=1)
    after = meetings_of(client, meet.id)
    for meeting_id, m in after.items():
        if before[meeting_id]["day"] == DAY_ONE.isoformat() and before[meeting_id]["start"] <= "11:00":
            assert {k: m[k] for k in ("status", "table", "slot_id", "version")} == {k: before[meeting_id][k] for k in ("status", "table", "slot_id", "version")}
        elif m["status"] == "scheduled":
            assert m["table"] == 1
    redraft(client, changed)


def test_a_draft_built_before_the_meet_changed_is_not_published_and_a_new_one_is(published):
    client, deliver, meet = published
    latecomer = seller(5, "Kupwara")
    deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, latecomer))
    deliver(participation_event(Application(meet.id, "s5", "seller", [s.id for s in meet.slots()], status="approved", version=2), meet))
    stale_draft = redraft(client, meet)
    assert any(m["seller_id"] == "s5" and m["slot_id"].startswith(DAY_ONE.isoformat()) for m in stale_draft["meetings"])
    changed = edit(deliver, meet, days=[DAY_TWO], meeting_minutes=20)
    stale = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert stale.status_code == 409 and "build a new draft" in stale.get_json()["detail"], stale.get_json()
    draft = redraft(client, changed)
    fresh = client.post(f"/v1/meets/{meet.id}/schedule/publish", json={"draft_id": draft["draft_id"]}, headers=ORGANISER)
    assert fresh.status_code == 200 and fresh.get_json()["newly_published"] >= 1, fresh.get_json()
    after = meetings_of(client, meet.id)
    assert_consistent(client, changed, after, after)


def _break(start: time, end: time):
    from services.registration.domain.meets import Break

    return Break(start, end)


def test_a_meet_event_that_changes_no_slot_or_table_reads_no_meeting(published, monkeypatch):
    """The layout followed last is kept, so a status change or a new name after publication
    (one event each, on a meet of thousands of meetings) reads no meeting document."""
    client, deliver, meet = published
    from services.matching.meetings_store import MeetingStore

    def every_meeting_read(*_):
        raise AssertionError("a meet event that changes no slot or table read the meetings")

    monkeypatch.setattr(MeetingStore, "many", every_meeting_read)
    renamed = edit(deliver, meet, name="Srinagar BSM 2027")
    closed = replace(renamed, status="closed", version=renamed.version + 1)
    deliver(meet_event(catalogue.MEET_STATUS_CHANGED, closed, previous_status=OPEN))
    monkeypatch.undo()
    edit(deliver, closed, tables=2)
    live = [m for m in meetings_of(client, meet.id).values() if m["status"] == "scheduled"]
    assert live and all(m["table"] <= 2 for m in live), "a change of tables after them is still followed"


def outbox_of(client, meeting_id: str) -> list[dict]:
    """The events a meeting's changes wrote (type and data), in order."""
    db = client.application.extensions["matching"].profiles.db
    return outbox_event_dicts(db["meetings"].find_one({"_id": meeting_id}))


def test_a_new_time_zone_alone_gives_every_meeting_to_come_a_new_version_in_it_once(published, monkeypatch):
    """An organiser who created the meet in the wrong zone corrects it after publication:
    the same wall-clock times are another instant, so every meeting still to come takes
    the zone in a new version, announced once (the event is delivered twice, then again
    after a rename); a cancelled meeting stays as it was. A rename after it reads no
    meeting, as the zone is part of the layout followed."""
    client, deliver, meet = published
    first = min((m for m in meetings_of(client, meet.id).values() if m["seller_id"] == "s1"), key=lambda m: m["slot_index"])
    attends = [s.id for s in meet.slots() if s.id != first["slot_id"]]
    deliver(availability_changed(Application(meet.id, "s1", "seller", attends, status="approved", version=3), meet))
    before = meetings_of(client, meet.id)
    cancelled = first["id"]
    assert before[cancelled]["status"] == "cancelled" and {m["timezone"] for m in before.values()} == {"Asia/Kolkata"}
    moved = edit(deliver, meet, timezone="UTC")
    after = meetings_of(client, meet.id)
    assert_consistent(client, moved, before, after)
    assert after[cancelled] == before[cancelled] and len(outbox_of(client, cancelled)) == 1
    for meeting_id, m in after.items():
        if meeting_id == cancelled:
            continue
        assert (m["timezone"], m["version"], m["status"]) == ("UTC", before[meeting_id]["version"] + 1, "scheduled"), m
        assert {k: m[k] for k in ("day", "start", "end", "table", "slot_id")} == {k: before[meeting_id][k] for k in ("day", "start", "end", "table", "slot_id")}
        events = outbox_of(client, meeting_id)
        assert [(e["type"], e["data"]["timezone"], e["data"]["version"]) for e in events] == [
            (matching_catalogue.MEETING_SCHEDULED, "UTC", m["version"])], "announced once, in the new zone"

    from services.matching.meetings_store import MeetingStore

    def every_meeting_read(*_):
        raise AssertionError("a rename after the new zone was followed read the meetings")

    monkeypatch.setattr(MeetingStore, "many", every_meeting_read)
    renamed = edit(deliver, moved, name="Srinagar BSM 2027")
    monkeypatch.undo()
    deliver(meet_event(catalogue.MEET_UPDATED, moved))
    assert meetings_of(client, meet.id) == after
    assert all(len(outbox_of(client, i)) == 1 for i in after)
    redraft(client, renamed)


@pytest.mark.parametrize("zone, now, last_begun", [
    ("UTC", datetime.combine(DAY_ONE, time(11, 15), ZoneInfo("Asia/Kolkata")), "11:00"),
    ("Asia/Tokyo", datetime.combine(DAY_ONE, time(10, 45), ZoneInfo("Asia/Tokyo")), "10:30"),
], ids=["begun_in_the_old_zone", "begun_in_the_new_zone"])
def test_meetings_that_have_begun_in_either_zone_keep_the_zone_they_had(published, matching_at, zone, now, last_begun):
    """At 11:15 in Srinagar, the meetings of 10:00-11:00 have begun; at 10:45 in Tokyo (7:15
    in Srinagar), those of 10:00 and 10:30 have, on the corrected clock: either way they
    stay as they were, and the later ones take the new zone."""
    client, deliver, meet = published
    before = meetings_of(client, meet.id)
    matching_at[2]["at"] = now
    edit(deliver, meet, timezone=zone)
    after = meetings_of(client, meet.id)
    for meeting_id, m in after.items():
        begun = m["day"] == DAY_ONE.isoformat() and m["start"] <= last_begun
        if begun:
            assert (m["timezone"], m["version"]) == ("Asia/Kolkata", before[meeting_id]["version"]) and outbox_of(client, meeting_id) == [], m
        else:
            assert (m["timezone"], m["version"]) == (zone, before[meeting_id]["version"] + 1), m
    assert any(m["timezone"] == "Asia/Kolkata" for m in after.values()) and any(m["timezone"] == zone for m in after.values())
