"""Applications follow their meet's slots when an organiser edits the meet.

Registration's app on the real FerretDB; its outbox is relayed by its own relay straight
into matching's consumer handlers, so matching's draft is built from what registration
really announced.
"""
import pytest

from shared import outbox
from shared.outbox import stored_events
from services.matching.app import create_app as matching_app
from services.matching.handlers import build_handlers
from services.registration.store import OUTBOX_COLLECTIONS
from tests.api.conftest import BUYER, ORGANISER, SELLER, open_meet, outbox_events, register

pytestmark = pytest.mark.stack

MEET = {"session_start": "10:00", "session_end": "12:00", "meeting_minutes": 30, "breaks": [], "tables": 4, "capacity_sellers": 10,
        "capacity_buyers": 10, "days": ["2027-07-30", "2027-07-31"]}
AVAILABILITY_CHANGED = "bsm.registration.participation.availability_changed.v1"


@pytest.fixture
def matching(settings_for, db):
    """Matching's API, ``deliver_all()`` that relays everything registration's outbox holds
    to matching's handlers, and those handlers."""
    settings = settings_for("matching")
    app = matching_app(settings)
    handlers = build_handlers(app.extensions["matching"].profiles.db, settings)
    relay = outbox.OutboxRelay(db, OUTBOX_COLLECTIONS, lambda topic, event: handlers[event.type](event) if event.type in handlers else None)

    def deliver_all() -> None:
        while relay.relay_once():
            pass

    return app.test_client(), deliver_all, handlers


def people(client, meet: dict, chosen: dict[str, list[str]]) -> dict[str, str]:
    """Three sellers and two buyers applied and approved: ``chosen`` maps a seller's
    name to the slot ids they chose; everyone else applies with ``"all"``."""
    ids = {}
    for n in range(3):
        ids[f"s{n}"] = register(client, SELLER, phone=f"+91981100{n:04d}", gstin=None, email=None, name=f"Weaver {n}", languages=["ks", "en"])["id"]
    for n in range(2):
        ids[f"b{n}"] = register(client, BUYER, "buyers", email=f"b{n}@keller.example", name=f"Buyer {n}", languages=["en"])["id"]
    for name, participant_id in ids.items():
        body = {"participant_id": participant_id, "availability": chosen.get(name, "all")}
        assert client.post(f"/v1/meets/{meet['id']}/applications", json=body, headers=ORGANISER).status_code == 201
        decided = client.post(f"/v1/meets/{meet['id']}/applications/{participant_id}/decision", json={"decision": "approve"}, headers=ORGANISER)
        assert decided.status_code == 200, decided.get_json()
    return ids


def edit(client, meet_id: str, **changes):
    version = client.get(f"/v1/meets/{meet_id}").headers["ETag"]
    return client.patch(f"/v1/meets/{meet_id}", json=changes, headers={**ORGANISER, "If-Match": version})


def availability(client, meet_id: str, participant_id: str) -> list[str]:
    return client.get(f"/v1/meets/{meet_id}/applications/{participant_id}", headers=ORGANISER).get_json()["availability"]


def slot_ids(meet: dict) -> list[str]:
    return [s["id"] for s in meet["slots"]]


def test_a_new_meeting_length_gives_those_who_chose_all_every_new_slot_and_the_draft_meetings(client, matching):
    meet = open_meet(client, **MEET)
    ids = people(client, meet, {})
    edited = edit(client, meet["id"], meeting_minutes=20)
    assert edited.status_code == 200, edited.get_json()
    new_slots = slot_ids(edited.get_json())
    assert len(new_slots) == 12 and not set(new_slots) <= set(slot_ids(meet))
    for participant_id in ids.values():
        assert availability(client, meet["id"], participant_id) == new_slots

    matching_client, deliver_all, _ = matching
    deliver_all()
    draft = matching_client.post(f"/v1/meets/{meet['id']}/schedule/draft", json={"max_meetings": 6}, headers=ORGANISER)
    assert draft.status_code == 200, draft.get_json()
    assert len(draft.get_json()["meetings"]) >= 6


def test_chosen_slots_become_the_new_slots_within_the_time_chosen(client, matching):
    meet = open_meet(client, **MEET)
    day_one_morning = ["2027-07-30T1000", "2027-07-30T1030", "2027-07-30T1100"]  # 10:00-11:30
    ids = people(client, meet, {"s0": day_one_morning, "s1": ["2027-07-31T1130"]})
    assert edit(client, meet["id"], meeting_minutes=20).status_code == 200
    assert availability(client, meet["id"], ids["s0"]) == ["2027-07-30T1000", "2027-07-30T1020", "2027-07-30T1040", "2027-07-30T1100"]
    assert availability(client, meet["id"], ids["s1"]) == ["2027-07-31T1140"]


def test_a_day_taken_away_takes_its_slots_and_who_chose_only_that_day_is_kept_with_none(client, db):
    meet = open_meet(client, **MEET)
    ids = people(client, meet, {"s0": ["2027-07-30T1000", "2027-07-31T1000"], "s1": ["2027-07-30T1030"]})
    edited = edit(client, meet["id"], days=["2027-07-31"])
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["availability_followed"] == {"changed": 5, "without_slots": 1, "complete": True}
    assert availability(client, meet["id"], ids["s0"]) == ["2027-07-31T1000"]
    left = client.get(f"/v1/meets/{meet['id']}/applications/{ids['s1']}", headers=ORGANISER).get_json()
    assert (left["status"], left["availability"], left["version"]) == ("approved", [], 3)
    assert availability(client, meet["id"], ids["b0"]) == slot_ids(edited.get_json())
    [event] = [e for e in outbox_events(db, "applications", f"{meet['id']}:{ids['s1']}") if e["type"] == AVAILABILITY_CHANGED]
    assert (event["data"]["availability"], event["data"]["status"], event["data"]["version"]) == ([], "approved", 3)


def test_an_edit_sent_again_or_redone_after_a_crash_announces_each_change_once(client, db, monkeypatch):
    from services.registration.actions import availability as remap
    from services.registration.store import ApplicationStore

    meet = open_meet(client, **MEET)
    ids = people(client, meet, {"s0": ["2027-07-30T1000", "2027-07-30T1030"]})
    monkeypatch.setattr(remap, "BATCH", 2)
    save_each, calls = ApplicationStore.save_each, []

    def dies_on_the_second_batch(self, writes):
        calls.append(len(writes))
        if len(calls) == 2:
            raise ConnectionError("the process died")
        return save_each(self, writes)

    monkeypatch.setattr(ApplicationStore, "save_each", dies_on_the_second_batch)
    assert edit(client, meet["id"], meeting_minutes=20).status_code == 500
    monkeypatch.setattr(ApplicationStore, "save_each", save_each)
    done_before = [p for p in ids.values() if client.get(f"/v1/meets/{meet['id']}/applications/{p}", headers=ORGANISER).get_json()["version"] == 3]
    assert len(done_before) == 2

    retried = edit(client, meet["id"], meeting_minutes=20)
    assert retried.status_code == 200 and retried.get_json()["availability_followed"] == {"changed": 0, "without_slots": 0, "complete": True}
    closed = client.post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_closed"}, headers=ORGANISER)
    assert closed.status_code == 200
    new_slots = slot_ids(retried.get_json())
    assert availability(client, meet["id"], ids["s0"]) == ["2027-07-30T1000", "2027-07-30T1020", "2027-07-30T1040"]
    for participant_id in ids.values():
        events = [e for e in outbox_events(db, "applications", f"{meet['id']}:{participant_id}") if e["type"] == AVAILABILITY_CHANGED]
        assert [e["data"]["version"] for e in events] == [3]
        if participant_id != ids["s0"]:
            assert availability(client, meet["id"], participant_id) == new_slots
    assert db["meets"].find_one({"_id": meet["id"]}).get("_remap") is None


def test_the_draft_after_new_session_hours_has_meetings_again_and_a_redelivery_changes_nothing(client, db, matching):
    meet = open_meet(client, **MEET)
    people(client, meet, {"s0": ["2027-07-30T1000", "2027-07-30T1030", "2027-07-30T1100"]})
    matching_client, deliver_all, handlers = matching
    deliver_all()
    url = f"/v1/meets/{meet['id']}/schedule/draft"
    before = matching_client.post(url, json={}, headers=ORGANISER).get_json()
    assert len(before["meetings"]) == 6
    edited = edit(client, meet["id"], session_start="10:15")
    assert edited.get_json()["availability_followed"] == {"changed": 5, "without_slots": 0, "complete": True}
    events = [stored_events(doc) for doc in db["applications"].find({"meet_id": meet["id"]})]
    assert sorted(e.type for entries in events for e in entries) == [AVAILABILITY_CHANGED] * 5
    deliver_all()
    after = matching_client.post(url, json={}, headers=ORGANISER).get_json()
    assert len(after["meetings"]) == 6, after["stats"]
    assert {m["slot_id"] for m in after["meetings"]} <= set(slot_ids(edited.get_json()))

    matching_db = matching_client.application.extensions["matching"].profiles.db
    stored = {d["_id"]: d["version"] for d in matching_db["participation"].find({"meet_id": meet["id"]})}
    for entries in events:
        for event in entries:
            handlers[event.type](event)
    assert {d["_id"]: d["version"] for d in matching_db["participation"].find({"meet_id": meet["id"]})} == stored
    assert len(matching_client.post(url, json={}, headers=ORGANISER).get_json()["meetings"]) == 6


def test_applications_stored_before_meets_listed_them_or_recorded_all_are_followed(client, db):
    meet = open_meet(client, **MEET)
    ids = people(client, meet, {"s0": slot_ids(meet)[:2]})
    db["applicants"].delete_many({"_id": {"$regex": f"^{meet['id']}:"}})
    db["applications"].update_many({"meet_id": meet["id"]}, {"$unset": {"all_slots": "", "slots_version": ""}})
    edited = edit(client, meet["id"], meeting_minutes=20)
    assert edited.get_json()["availability_followed"] == {"changed": 5, "without_slots": 0, "complete": True}
    assert availability(client, meet["id"], ids["b1"]) == slot_ids(edited.get_json())
    assert availability(client, meet["id"], ids["s0"]) == ["2027-07-30T1000", "2027-07-30T1020", "2027-07-30T1040"]
    assert client.get(f"/v1/meets/{meet['id']}/applications/{ids['b1']}", headers=ORGANISER).get_json()["all_slots"] is True


def test_a_published_meeting_in_a_slot_that_stays_is_cancelled_when_its_applicant_no_longer_covers_it(client, matching):
    meet = open_meet(client, **MEET)
    ids = people(client, meet, {"s0": ["2027-07-30T1000"]})
    matching_client, deliver_all, _ = matching
    deliver_all()
    assert matching_client.post(f"/v1/meets/{meet['id']}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    assert matching_client.post(f"/v1/meets/{meet['id']}/schedule/publish", headers=ORGANISER).status_code == 200
    meetings = matching_client.get(f"/v1/meets/{meet['id']}/meetings?limit=200", headers=ORGANISER).get_json()["items"]
    [theirs] = [m for m in meetings if m["seller_id"] == ids["s0"]]
    assert theirs["slot_id"] == "2027-07-30T1000"

    edited = edit(client, meet["id"], meeting_minutes=40)  # 10:00-10:40 is longer than the 10:00-10:30 they chose
    assert edited.get_json()["availability_followed"]["without_slots"] == 1
    deliver_all()
    after = {m["id"]: m for m in matching_client.get(f"/v1/meets/{meet['id']}/meetings?limit=200", headers=ORGANISER).get_json()["items"]}
    assert (after[theirs["id"]]["status"], after[theirs["id"]]["cancel_reason"]) == ("cancelled", "unavailable")
    assert any(m["status"] == "scheduled" and m["slot_id"] == "2027-07-30T1000" for m in after.values())


def test_a_participant_who_gives_up_a_time_loses_only_their_meeting_then_and_the_next_draft_keeps_them_out_of_it(client, matching):
    meet = open_meet(client, **MEET)
    ids = people(client, meet, {"s0": ["2027-07-30T1000", "2027-07-30T1030"]})
    matching_client, deliver_all, _ = matching
    deliver_all()
    assert matching_client.post(f"/v1/meets/{meet['id']}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    assert matching_client.post(f"/v1/meets/{meet['id']}/schedule/publish", headers=ORGANISER).status_code == 200
    meetings = matching_client.get(f"/v1/meets/{meet['id']}/meetings?limit=200", headers=ORGANISER).get_json()["items"]
    theirs = {m["slot_id"]: m["id"] for m in meetings if m["seller_id"] == ids["s0"]}
    assert set(theirs) == {"2027-07-30T1000", "2027-07-30T1030"}

    url = f"/v1/meets/{meet['id']}/applications/{ids['s0']}/availability"
    assert client.put(url, json={"availability": ["2027-07-30T1030", "2027-07-31T1100"]}, headers=ORGANISER).status_code == 200
    deliver_all()
    deliver_all()
    after = {m["id"]: m for m in matching_client.get(f"/v1/meets/{meet['id']}/meetings?limit=200", headers=ORGANISER).get_json()["items"]}
    assert (after[theirs["2027-07-30T1000"]]["status"], after[theirs["2027-07-30T1000"]]["cancel_reason"]) == ("cancelled", "unavailable")
    assert after[theirs["2027-07-30T1030"]]["status"] == "scheduled"
    assert sum(1 for m in after.values() if m["status"] == "cancelled") == 1
    draft = matching_client.post(f"/v1/meets/{meet['id']}/schedule/draft", json={}, headers=ORGANISER).get_json()
    slots_of_s0 = {m["slot_id"] for m in draft["meetings"] if m["seller_id"] == ids["s0"]}
    assert slots_of_s0 <= {"2027-07-30T1030", "2027-07-31T1100"} and "2027-07-30T1030" in slots_of_s0
