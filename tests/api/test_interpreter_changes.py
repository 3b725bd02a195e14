"""An interpreter changed or removed once published meetings rely on them: their meetings
still to come go to another interpreter who covers them, or the change is refused naming
the meetings; meetings already begun keep their interpreter, and drafts go on working.

Before, the change was taken as it came: a published meeting kept an interpreter who no
longer worked its slot, and every later draft was a 409 ("the locked meetings cannot all
be kept") that the organiser had no way out of.
"""
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import registration as catalogue
from services.matching import actions
from services.matching.actions import publishing
from services.matching.actions.context import Refused
from services.matching.domain.places import meeting_places
from services.matching.occupancy import Taken
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.domain.participants import Participant
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER, outbox_events
from tests.api.test_matching_api import buyer, clock_at, matching, seller  # noqa: F401 (matching is a fixture)

pytestmark = pytest.mark.stack

MEET = "meet-interpreted"
RAFIQ = {"name": "Rafiq", "languages": ["ks", "en"]}
ZOYA = {"name": "Zoya", "languages": ["en", "ks", "ur"]}


@pytest.fixture
def pooled(matching):  # noqa: F811
    """Two Kashmiri-only sellers and an English-only buyer, all approved for every slot
    of a two-slot meet, and Rafiq (int-1) alone in the pool. Answers (client, slots)."""
    client, deliver = matching
    meet = Meet(name="International BSM", venue="SKICC", city="Srinagar", days=[date(2027, 9, 4)], session_start=time(10),
                session_end=time(11), meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=5, status=OPEN, id=MEET)
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    people = [Participant(**{**seller(n, "Budgam").__dict__, "id": f"ks{n}", "languages": ["ks"]}) for n in (1, 2)] + [buyer(9)]
    for person in people:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status="approved", version=2), meet))
    assert put(client, "int-1", RAFIQ, slots).status_code == 200
    return client, slots


@pytest.fixture
def published(pooled):
    """``pooled``'s meetings in two slots, both interpreted by Rafiq, published; Zoya
    (int-2), who works every slot, joins the pool after the publication. Answers (client,
    slots, {slot id: meeting id})."""
    client, slots = pooled
    drafted = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]
    assert sorted((m["slot_id"], m["interpreter"]) for m in drafted) == [(slots[0], "int-1"), (slots[1], "int-1")]
    assert client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER).status_code == 200
    assert put(client, "int-2", ZOYA, slots).status_code == 200
    return client, slots, {m["slot_id"]: f"{MEET}:{m['seller_id']}:{m['buyer_id']}" for m in drafted}


def put(client, interpreter_id: str, who: dict, slots: list[str]):
    return client.put(f"/v1/meets/{MEET}/interpreters/{interpreter_id}", json={**who, "availability": slots}, headers=ORGANISER)


def stored(client, meeting_id: str) -> dict:
    return client.application.extensions["matching"].meetings.get(meeting_id)


def interpreter_places(client) -> set[tuple[str, str]]:
    """(interpreter, slot id) of every interpreter's place held in the database."""
    claims = client.application.extensions["matching"].occupancy.collection.find({"meet_id": MEET})
    return {(c["_id"].split(":")[-1], c["slot_id"]) for c in claims if ":interpreter:" in c["_id"]}


def test_a_meeting_in_a_slot_the_interpreter_no_longer_works_goes_to_one_who_does(published):
    client, slots, meeting_in = published
    assert put(client, "int-1", RAFIQ, slots[:1]).status_code == 200
    moved, kept = stored(client, meeting_in[slots[1]]), stored(client, meeting_in[slots[0]])
    assert (moved["interpreter"], moved["interpreter_name"], moved["interpreter_languages"], moved["version"]) == ("int-2", "Zoya", ["en", "ks", "ur"], 2)
    assert (kept["interpreter"], kept["version"]) == ("int-1", 1)
    [event] = [e for e in outbox_events(client.application.extensions["matching"].meetings.db, "meetings", moved["_id"])
               if e["data"]["version"] == 2]
    assert event["type"].endswith("meeting.scheduled.v1") and event["data"]["interpreter_name"] == "Zoya"
    assert interpreter_places(client) == {("int-1", slots[0]), ("int-2", slots[1])}
    shown = client.get(f"/v1/meets/{MEET}/meetings", headers=ORGANISER).get_json()["items"]
    assert sorted((m["slot_id"], m["interpreter_name"]) for m in shown) == [(slots[0], "Rafiq"), (slots[1], "Zoya")]
    again = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER)
    assert again.status_code == 200, again.get_json()
    assert sorted((m["slot_id"], m["interpreter"]) for m in again.get_json()["meetings"]) == [(slots[0], "int-1"), (slots[1], "int-2")]
    assert put(client, "int-1", RAFIQ, slots[:1]).status_code == 200
    assert stored(client, meeting_in[slots[1]])["version"] == 2, "the same change again changes nothing"


def test_an_interpreter_who_no_longer_speaks_a_sides_language_hands_their_meetings_over(published):
    client, slots, meeting_in = published
    assert put(client, "int-1", {"name": "Rafiq", "languages": ["ur", "en"]}, slots).status_code == 200
    assert {stored(client, m)["interpreter"] for m in meeting_in.values()} == {"int-2"}


def test_a_change_no_one_can_cover_is_refused_naming_the_meeting_and_changes_nothing(published):
    client, slots, meeting_in = published
    assert put(client, "int-2", ZOYA, slots[:1]).status_code == 200, "Zoya keeps the first slot only"
    refused = put(client, "int-1", RAFIQ, slots[:1])
    assert refused.status_code == 409
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert f"ks2/b9 in slot {slots[1]}" in refused.get_json()["detail"] or f"ks1/b9 in slot {slots[1]}" in refused.get_json()["detail"]
    pool = {i["interpreter_id"]: i["availability"] for i in client.get(f"/v1/meets/{MEET}/interpreters", headers=ORGANISER).get_json()["items"]}
    assert pool["int-1"] == slots
    assert {(stored(client, m)["interpreter"], stored(client, m)["version"]) for m in meeting_in.values()} == {("int-1", 1)}
    assert interpreter_places(client) == {("int-1", slots[0]), ("int-1", slots[1])}
    assert client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).status_code == 200


def test_removing_an_interpreter_hands_every_meeting_over_and_a_second_removal_is_a_404(published):
    client, slots, meeting_in = published
    assert client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER).status_code == 204
    assert {stored(client, m)["interpreter_name"] for m in meeting_in.values()} == {"Zoya"}
    assert [i["interpreter_id"] for i in client.get(f"/v1/meets/{MEET}/interpreters", headers=ORGANISER).get_json()["items"]] == ["int-2"]
    assert interpreter_places(client) == {("int-2", slots[0]), ("int-2", slots[1])}
    assert client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER).status_code == 404
    refused = client.delete(f"/v1/meets/{MEET}/interpreters/int-2", headers=ORGANISER)
    assert refused.status_code == 409 and "Add an interpreter who covers them" in refused.get_json()["detail"]


def test_a_renamed_interpreter_is_named_anew_on_their_meetings(published):
    client, slots, meeting_in = published
    assert put(client, "int-1", {**RAFIQ, "name": "Rafiq Ahmad"}, slots).status_code == 200
    assert {(stored(client, m)["interpreter"], stored(client, m)["interpreter_name"]) for m in meeting_in.values()} == {("int-1", "Rafiq Ahmad")}


def test_meetings_begun_keep_their_interpreter_and_drafts_still_work(published):
    client, slots, meeting_in = published
    clock_at(client, datetime(2027, 9, 4, 10, 5, tzinfo=ZoneInfo("Asia/Kolkata")))
    assert client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER).status_code == 204
    begun, to_come = stored(client, meeting_in[slots[0]]), stored(client, meeting_in[slots[1]])
    assert (begun["interpreter_name"], begun["version"]) == ("Rafiq", 1), "history stays as it happened"
    assert to_come["interpreter_name"] == "Zoya"
    drafted = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER)
    assert drafted.status_code == 200, drafted.get_json()



def test_a_draft_relying_on_an_interpreter_who_stopped_working_a_slot_is_not_published(pooled):
    client, slots = pooled
    assert client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    assert put(client, "int-1", RAFIQ, slots[:1]).status_code == 200, "nothing published relies on Rafiq yet"
    refused = client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER)
    assert refused.status_code == 409 and f"interpreter int-1 no longer works slot {slots[1]}" in refused.get_json()["detail"]
    assert client.get(f"/v1/meets/{MEET}/meetings", headers=ORGANISER).get_json()["items"] == []
    redrafted = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]
    assert [(m["slot_id"], m["interpreter"]) for m in redrafted] == [(slots[0], "int-1")]
    assert client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER).status_code == 200


def test_a_change_while_another_holds_the_pool_is_refused_and_a_lease_whose_process_died_runs_out(pooled):
    """Two changes of one pool at once could each count the other's interpreter as free;
    one runs at a time. A change whose process died leaves a lease that runs out."""
    client, slots = pooled
    pools = client.application.extensions["matching"].interpreters.collection
    pools.update_one({"_id": MEET}, {"$set": {"changing": {"token": "another", "until": datetime.now(timezone.utc) + timedelta(seconds=30)}}})
    refused = put(client, "int-2", ZOYA, slots)
    assert refused.status_code == 409 and "under way" in refused.get_json()["detail"]
    assert client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER).status_code == 409
    assert [i["interpreter_id"] for i in client.get(f"/v1/meets/{MEET}/interpreters", headers=ORGANISER).get_json()["items"]] == ["int-1"]
    pools.update_one({"_id": MEET}, {"$set": {"changing.until": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    assert put(client, "int-2", ZOYA, slots).status_code == 200
    assert "changing" not in pools.find_one({"_id": MEET}), "given back"
    assert client.delete(f"/v1/meets/{MEET}/interpreters/int-2", headers=ORGANISER).status_code == 204


def test_a_pool_change_while_a_publication_writes_its_meetings_is_refused(pooled):
    """A publication reads the pool once; before, an interpreter removed while it wrote
    its chunks had their meetings of the chunks still to write published with them."""
    client, slots = pooled
    ctx = client.application.extensions["matching"]
    assert client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    attempts = []
    writing = ctx.meetings.publish_chunk

    def chunk_written_while_removing(*args, **kwargs):
        try:
            actions.remove_interpreter(ctx, MEET, "int-1")
            attempts.append("removed")
        except Refused as exc:
            attempts.append(str(exc))
        return writing(*args, **kwargs)

    ctx.meetings.publish_chunk = chunk_written_while_removing
    try:
        assert client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER).status_code == 200
    finally:
        del ctx.meetings.publish_chunk
    assert attempts and all("publication of its schedule, is under way" in a for a in attempts)
    pool = {i["interpreter_id"] for i in client.get(f"/v1/meets/{MEET}/interpreters", headers=ORGANISER).get_json()["items"]}
    published = client.get(f"/v1/meets/{MEET}/meetings", headers=ORGANISER).get_json()["items"]
    assert len(published) == 2 and {m["interpreter"] for m in published} <= pool
    assert "changing" not in ctx.interpreters.collection.find_one({"_id": MEET}), "given back"
    assert client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER).status_code == 409, "Rafiq's meetings now rely on him"


def test_a_publication_while_a_pool_change_holds_the_pool_is_refused_and_publishes_nothing(pooled, monkeypatch):
    client, slots = pooled
    monkeypatch.setattr(publishing, "POOL_WAIT_SECONDS", 0.0, raising=False)  # none on the old code, which did not wait
    pools = client.application.extensions["matching"].interpreters.collection
    assert client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    pools.update_one({"_id": MEET}, {"$set": {"changing": {"token": "another", "until": datetime.now(timezone.utc) + timedelta(seconds=30)}}})
    refused = client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER)
    assert refused.status_code == 409 and "under way" in refused.get_json()["detail"]
    assert client.get(f"/v1/meets/{MEET}/meetings", headers=ORGANISER).get_json()["items"] == []
    pools.update_one({"_id": MEET}, {"$set": {"changing.until": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    assert client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER).status_code == 200
    assert len(client.get(f"/v1/meets/{MEET}/meetings", headers=ORGANISER).get_json()["items"]) == 2


def person(n: int, languages: list[str]) -> Participant:
    return Participant(**{**seller(n, "Budgam").__dict__, "id": f"ks{n}", "languages": languages})


@pytest.fixture
def bilingual_seller(matching):  # noqa: F811
    """A one-slot meet: ks1 speaks Kashmiri and English, ks2 Kashmiri only, buyers b8 and
    b9 English only; Rafiq (int-1) alone in the pool. Answers (client, slot id)."""
    client, deliver = matching
    meet = Meet(name="International BSM", venue="SKICC", city="Srinagar", days=[date(2027, 9, 4)], session_start=time(10),
                session_end=time(10, 30), meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=5, status=OPEN, id=MEET)
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    for who in (person(1, ["ks", "en"]), person(2, ["ks"]), buyer(8), buyer(9)):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, who))
        deliver(participation_event(Application(meet.id, who.id, who.role, slots, status="approved", version=2), meet))
    assert put(client, "int-1", RAFIQ, slots).status_code == 200
    return client, slots[0]


def in_the_pool_unchecked(client, interpreter_id: str, who: dict, slots: list[str]) -> None:
    """What a pool entry made before matching knew the participant leaves stored."""
    client.application.extensions["matching"].interpreters.put(MEET, interpreter_id, who["name"], who["languages"], slots)


def assert_nobody_in_two_places(meetings: list[dict]) -> None:
    for m in meetings:
        others = [o for o in meetings if o["slot_id"] == m["slot_id"] and o is not m]
        assert not m.get("interpreter") or all(m["interpreter"] not in (o["seller_id"], o["buyer_id"], o.get("interpreter")) for o in others), m


def test_a_registered_participant_is_refused_a_place_in_the_pool(bilingual_seller):
    client, slot = bilingual_seller
    refused = put(client, "ks1", {"name": "Weaver 1", "languages": ["ks", "en"]}, [slot])
    assert refused.status_code == 409 and refused.headers["Content-Type"].startswith("application/problem+json")
    assert "ks1 is a registered participant" in refused.get_json()["detail"]
    assert [i["interpreter_id"] for i in client.get(f"/v1/meets/{MEET}/interpreters", headers=ORGANISER).get_json()["items"]] == ["int-1"]


def test_a_participant_found_in_the_pool_is_not_given_meetings_to_interpret_in_a_draft(bilingual_seller):
    client, slot = bilingual_seller
    client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER)
    in_the_pool_unchecked(client, "ks1", {"name": "Weaver 1", "languages": ["ks", "en"]}, [slot])
    drafted = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER)
    assert drafted.status_code == 200, drafted.get_json()
    meetings = drafted.get_json()["meetings"]
    assert_nobody_in_two_places(meetings)
    assert {m["seller_id"] for m in meetings} == {"ks1"} and not any(m.get("interpreter") for m in meetings)


def test_a_meeting_is_not_handed_to_a_pool_member_meeting_in_its_slot(bilingual_seller):
    client, slot = bilingual_seller
    drafted = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]
    assert sorted((m["seller_id"], m.get("interpreter")) for m in drafted) == [("ks1", None), ("ks2", "int-1")]
    assert client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER).status_code == 200
    in_the_pool_unchecked(client, "ks1", {"name": "Weaver 1", "languages": ["ks", "en"]}, [slot])
    refused = client.delete(f"/v1/meets/{MEET}/interpreters/int-1", headers=ORGANISER)
    assert refused.status_code == 409, "ks1 meets a buyer in that slot"
    shown = client.get(f"/v1/meets/{MEET}/meetings", headers=ORGANISER).get_json()["items"]
    assert_nobody_in_two_places(shown)
    assert {m.get("interpreter") for m in shown if m["seller_id"] == "ks2"} == {"int-1"}


def test_the_pool_lists_the_slots_of_the_meet_as_it_is_now_and_what_is_read_back_can_be_sent_back(matching):  # noqa: F811
    client, deliver = matching
    meet = Meet(name="International BSM", venue="SKICC", city="Srinagar", days=[date(2027, 9, 4)], session_start=time(10),
                session_end=time(11, 30), meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=5, status=OPEN, id=MEET)
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    assert put(client, "int-1", RAFIQ, slots[::-1]).status_code == 200
    shortened = replace(meet, session_end=time(11), version=meet.version + 1)
    deliver(meet_event(catalogue.MEET_UPDATED, shortened))
    [listed] = client.get(f"/v1/meets/{MEET}/interpreters", headers=ORGANISER).get_json()["items"]
    assert listed["availability"] == [s.id for s in shortened.slots()] == slots[:2]
    again = client.put(f"/v1/meets/{MEET}/interpreters/int-1", json={k: listed[k] for k in ("name", "languages", "availability")}, headers=ORGANISER)
    assert again.status_code == 200, again.get_json()


def test_someone_interpreting_a_published_meeting_gets_no_meeting_of_their_own_in_its_slot(matching):  # noqa: F811
    """ks1 entered the pool before matching knew them (so the PUT could not tell), was
    given ks2's meeting to interpret and published; then ks1 is approved as a seller: a
    new draft, and a lock, leave them where they interpret."""
    client, deliver = matching
    meet = Meet(name="International BSM", venue="SKICC", city="Srinagar", days=[date(2027, 9, 4)], session_start=time(10),
                session_end=time(10, 30), meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=5, status=OPEN, id=MEET)
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    [slot] = [s.id for s in meet.slots()]

    def approve(who):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, who))
        deliver(participation_event(Application(meet.id, who.id, who.role, [slot], status="approved", version=2), meet))

    for who in (person(2, ["ks"]), buyer(8), buyer(9)):
        approve(who)
    assert put(client, "ks1", {"name": "Weaver 1", "languages": ["ks", "en"]}, [slot]).status_code == 200
    drafted = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]
    assert [(m["seller_id"], m["interpreter"]) for m in drafted] == [("ks2", "ks1")]
    assert client.post(f"/v1/meets/{MEET}/schedule/publish", headers=ORGANISER).status_code == 200
    approve(person(1, ["ks", "en"]))
    again = client.post(f"/v1/meets/{MEET}/schedule/draft", json={}, headers=ORGANISER)
    assert again.status_code == 200, again.get_json()
    assert_nobody_in_two_places(again.get_json()["meetings"])
    assert [(m["seller_id"], m["interpreter"]) for m in again.get_json()["meetings"]] == [("ks2", "ks1")]
    free_buyer = ({"b8", "b9"} - {drafted[0]["buyer_id"]}).pop()
    locked = client.post(f"/v1/meets/{MEET}/schedule/locks", json={"seller_id": "ks1", "buyer_id": free_buyer, "slot_id": slot}, headers=ORGANISER)
    assert locked.status_code == 409 and "ks1 has a published meeting" in locked.get_json()["detail"]


def test_the_database_refuses_a_meeting_of_their_own_where_someone_interprets_whatever_the_checks_saw(matching):  # noqa: F811
    """The places as two writers racing past their checks would claim them."""
    client, _ = matching
    occupancy = client.application.extensions["matching"].occupancy
    interpreted = {"slot_id": "s1", "seller_id": "ks2", "buyer_id": "b8", "table": 1, "interpreter": "ks1"}
    occupancy.claim(f"{MEET}:ks2:b8", meeting_places(MEET, interpreted), meet_id=MEET)
    with pytest.raises(Taken, match="ks1 already has a meeting in slot s1"):
        occupancy.claim(f"{MEET}:ks1:b9", meeting_places(MEET, {"slot_id": "s1", "seller_id": "ks1", "buyer_id": "b9", "table": 2}), meet_id=MEET)
    assert occupancy.claim(f"{MEET}:ks1:b9", meeting_places(MEET, {"slot_id": "s2", "seller_id": "ks1", "buyer_id": "b9", "table": 2}), meet_id=MEET)
