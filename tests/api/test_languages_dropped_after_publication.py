"""A participant who gives up a language after the schedule is published: each of their
meetings still to come whose two sides no longer share a language and that no interpreter
bridges goes to a free interpreter of the pool who bridges the pair in its slot (announced
again as scheduled, as when the pool changes), or, with none free, is cancelled with
``no_shared_language``. Meetings that have begun, that an interpreter already bridges, or
whose sides still share a language are left as they were; a redelivered profile changes
nothing more.

Before, matching stored the new profile and left the meetings alone: the buyer kept a
meeting with a seller with whom they no longer shared a language, and no interpreter.

Buyer b1 speaks English and Hindi and meets, one slot each, on 4 September 2027 from
10:00: s4 (Kashmiri, Hindi) at 10:30, s1 (Kashmiri, Hindi) at 11:00, s2 (Kashmiri alone,
with Rafiq, who speaks Kashmiri and English and works only that slot) at 11:30 and s3
(Kashmiri, English) at 12:00. At 10:35 at the venue b1 gives up Hindi.
"""
from dataclasses import replace
from datetime import date, datetime, time, timezone
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import matching as matching_catalogue
from shared.contracts import registration as catalogue
from shared.envelope import Event
from services.matching.app import create_app
from services.matching.handlers import build_handlers
from services.matching.store import LANGUAGES_DROPPED
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER, outbox_events
from tests.api.test_matching_api import buyer, seller

pytestmark = pytest.mark.stack

MEET = Meet(name="Languages BSM", venue="SKICC", city="Srinagar", days=[date(2027, 9, 4)], session_start=time(10), session_end=time(12, 30),
            meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-languages")
SLOTS = [s.id for s in MEET.slots()]
B1 = replace(buyer(1), languages=["en", "hi"])
SELLERS = {"s4": (["ks", "hi"], 1), "s1": (["ks", "hi"], 2), "s2": (["ks"], 3), "s3": (["ks", "en"], 4)}
RAFIQ = {"name": "Rafiq", "languages": ["ks", "en"], "availability": [SLOTS[3]]}
ZOYA = {"name": "Zoya", "languages": ["en", "ks"], "availability": SLOTS}
NOW = datetime.combine(MEET.days[0], time(10, 35), ZoneInfo(MEET.timezone))


def meeting_id(seller_id: str) -> str:
    return f"{MEET.id}:{seller_id}:b1"


@pytest.fixture
def published(settings_for):
    """The meet published as the module says, with matching's handlers reading the time
    as 10:35 on its day. Answers (client, deliver)."""
    settings = settings_for("matching")
    app = create_app(settings)
    db = app.extensions["matching"].profiles.db
    handlers = build_handlers(db, settings, clock=lambda: NOW.astimezone(timezone.utc))

    def deliver(event: Event) -> None:
        handlers[event.type](event)

    client = app.test_client()
    deliver(meet_event(catalogue.MEET_CREATED, MEET))
    deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, B1))
    deliver(participation_event(Application(MEET.id, "b1", "buyer", SLOTS, status="approved", version=2), MEET))
    for seller_id, (languages, slot) in SELLERS.items():
        person = replace(seller(int(seller_id[1:]), "Budgam"), languages=languages)
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(MEET.id, seller_id, "seller", [SLOTS[slot]], status="approved", version=2), MEET))
    assert client.put(f"/v1/meets/{MEET.id}/interpreters/int-1", json=RAFIQ, headers=ORGANISER).status_code == 200
    drafted = client.post(f"/v1/meets/{MEET.id}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]
    assert sorted((m["seller_id"], m["slot_id"], m["interpreter"]) for m in drafted) == [
        ("s1", SLOTS[2], None), ("s2", SLOTS[3], "int-1"), ("s3", SLOTS[4], None), ("s4", SLOTS[1], None)]
    assert client.post(f"/v1/meets/{MEET.id}/schedule/publish", headers=ORGANISER).status_code == 200
    return client, deliver


def gives_up_hindi(deliver) -> None:
    """b1's profile without Hindi, delivered twice (a redelivery)."""
    event = participant_event(catalogue.PARTICIPANT_UPDATED, replace(B1, languages=["en"], version=2))
    deliver(event)
    deliver(event)


def stored(client) -> dict[str, dict]:
    meetings = client.application.extensions["matching"].meetings
    return {seller_id: meetings.get(meeting_id(seller_id)) for seller_id in SELLERS}


def events(client, seller_id: str) -> list[dict]:
    return outbox_events(client.application.extensions["matching"].meetings.db, "meetings", meeting_id(seller_id))


def interpreter_places(client) -> set[tuple[str, str]]:
    """(interpreter, slot id) of every interpreter's place held in the database."""
    claims = client.application.extensions["matching"].occupancy.collection.find({"meet_id": MEET.id})
    return {(c["_id"].split(":")[-1], c["slot_id"]) for c in claims if ":interpreter:" in c["_id"]}


def assert_left_as_published(client, before: dict[str, dict], *seller_ids: str) -> None:
    after = stored(client)
    for seller_id in seller_ids:
        assert {k: after[seller_id][k] for k in ("status", "version", "interpreter")} == {k: before[seller_id][k] for k in ("status", "version", "interpreter")}
        assert not events(client, seller_id), "nothing announced again"


def test_a_meeting_left_without_a_common_language_is_cancelled_when_no_interpreter_is_free(published):
    client, deliver = published
    before = stored(client)
    gives_up_hindi(deliver)
    cancelled = stored(client)["s1"]
    assert (cancelled["status"], cancelled["cancel_reason"], cancelled["version"]) == ("cancelled", "no_shared_language", 2)
    [event] = events(client, "s1")
    assert event["type"] == matching_catalogue.MEETING_CANCELLED and event["data"]["cancel_reason"] == "no_shared_language"
    assert_left_as_published(client, before, "s4", "s2", "s3")
    live = client.get(f"/v1/meets/{MEET.id}/meetings", headers=ORGANISER).get_json()["items"]
    assert sorted(m["seller_id"] for m in live if m["status"] == "scheduled") == ["s2", "s3", "s4"]
    assert client.application.extensions["matching"].occupancy.collection.count_documents({"holder": meeting_id("s1")}) == 0, "its places given back"
    assert client.application.extensions["matching"].meetings.db[LANGUAGES_DROPPED].count_documents({}) == 0


def test_a_meeting_left_without_a_common_language_goes_to_a_free_interpreter_who_bridges_the_pair(published):
    client, deliver = published
    assert client.put(f"/v1/meets/{MEET.id}/interpreters/int-2", json=ZOYA, headers=ORGANISER).status_code == 200
    before = stored(client)
    gives_up_hindi(deliver)
    handed = stored(client)["s1"]
    assert (handed["status"], handed["interpreter"], handed["interpreter_name"], handed["interpreter_languages"], handed["version"]) == \
        ("scheduled", "int-2", "Zoya", ["en", "ks"], 2)
    [event] = events(client, "s1")
    assert event["type"] == matching_catalogue.MEETING_SCHEDULED and (event["data"]["interpreter_name"], event["data"]["version"]) == ("Zoya", 2)
    assert interpreter_places(client) == {("int-1", SLOTS[3]), ("int-2", SLOTS[2])}
    shown = {m["seller_id"]: m for m in client.get(f"/v1/meets/{MEET.id}/meetings", headers=ORGANISER).get_json()["items"]}
    assert shown["s1"]["interpreter_name"] == "Zoya"
    assert_left_as_published(client, before, "s4", "s2", "s3")
    again = client.post(f"/v1/meets/{MEET.id}/schedule/draft", json={}, headers=ORGANISER)
    assert again.status_code == 200, again.get_json()


def test_a_profile_that_gives_up_no_language_or_an_older_one_changes_no_meeting(published):
    client, deliver = published
    before = stored(client)
    deliver(participant_event(catalogue.PARTICIPANT_UPDATED, replace(B1, languages=["en", "hi", "ur"], version=3)))
    deliver(participant_event(catalogue.PARTICIPANT_UPDATED, replace(B1, languages=["en"], version=2)))
    assert_left_as_published(client, before, *SELLERS)


def test_a_stop_after_the_profile_is_stored_is_finished_by_the_redelivery(published, monkeypatch):
    client, deliver = published
    event = participant_event(catalogue.PARTICIPANT_UPDATED, replace(B1, languages=["en"], version=2))

    def stops(*_):
        raise RuntimeError("the consumer stopped here")

    monkeypatch.setattr(import_module("services.matching.actions.interpreters"), "_bridge_or_cancel", stops)
    with pytest.raises(RuntimeError):
        deliver(event)
    monkeypatch.undo()
    assert client.application.extensions["matching"].profiles.get("b1").languages == ["en"]
    assert stored(client)["s1"]["status"] == "scheduled"
    deliver(event)
    assert (stored(client)["s1"]["status"], stored(client)["s1"]["cancel_reason"]) == ("cancelled", "no_shared_language")
    deliver(event)
    assert len(events(client, "s1")) == 1
