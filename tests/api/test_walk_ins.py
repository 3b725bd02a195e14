"""Walk-ins (``POST /v1/meets/{meet}/walk-ins``): between a seller and a buyer approved in the
meet, two people who have no meeting yet in either order, refused otherwise with a problem
naming the field; a pair who share no language get a free interpreter of the pool who
bridges them in the slot, its place taken in the database like the others."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import registration as catalogue
from services.matching.actions.occupying import add_meeting
from services.matching.actions.publishing import meeting_doc
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.domain.participants import Participant
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER
from tests.api.test_matching_api import buyer, matching, meet_with_people, seller  # noqa: F401 (fixtures)
from tests.api.test_matching_places import at_once, live_meetings, one_wins

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"
THAT_MORNING = datetime(2027, 7, 30, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


def early_on_the_day(client, when: datetime = THAT_MORNING) -> None:
    client.application.extensions["matching"].clock = lambda: when.astimezone(timezone.utc)


def walk_in(client, meet_id: str, **body):
    return client.post(f"/v1/meets/{meet_id}/walk-ins", json=body, headers=ORGANISER)


def refused_naming(answer, status: int, field: str | None = None) -> str:
    assert answer.status_code == status and answer.mimetype == PROBLEM, answer.get_json()
    if field:
        assert list(answer.get_json()["errors"]) == [field], answer.get_json()
    return answer.get_json()["detail"]


def test_a_walk_in_with_the_roles_reversed_or_one_person_or_two_of_a_side_is_refused_naming_the_field(meet_with_people):
    client, _, meet = meet_with_people
    early_on_the_day(client)
    assert walk_in(client, meet.id, seller_id="s1", buyer_id="b1").status_code == 201
    assert "b1 is a buyer, not a seller" in refused_naming(walk_in(client, meet.id, seller_id="b1", buyer_id="s1"), 422, "seller_id")
    assert "b2 is a buyer, not a seller" in refused_naming(walk_in(client, meet.id, seller_id="b2", buyer_id="s2"), 422, "seller_id")
    assert "two people" in refused_naming(walk_in(client, meet.id, seller_id="s2", buyer_id="s2"), 422, "buyer_id")
    assert "two people" in refused_naming(walk_in(client, meet.id, seller_id="b2", buyer_id="b2"), 422, "buyer_id")
    assert "s3 is a seller, not a buyer" in refused_naming(walk_in(client, meet.id, seller_id="s2", buyer_id="s3"), 422, "buyer_id")
    assert "not an approved participant" in refused_naming(walk_in(client, meet.id, seller_id="s2", buyer_id="nobody"), 422, "buyer_id")
    assert "not an approved participant" in refused_naming(walk_in(client, meet.id, seller_id="s9", buyer_id="b2"), 422, "seller_id")
    refused_naming(walk_in(client, meet.id, seller_id="s2", buyer_id="b2", slot_id="no-such-slot"), 422, "slot_id")
    assert [(m["seller_id"], m["buyer_id"]) for m in live_meetings(client, meet.id)] == [("s1", "b1")]
    report = client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()
    assert report["meetings"]["scheduled"] == 1 and "s1" not in {g["key"] for g in report["by"]["buyer"]}, report


def test_someone_not_approved_in_this_meet_has_no_walk_in(matching):
    client, deliver = matching
    meet = Meet(name="Two meets", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(11),
                meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-walk-approved")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    for person, status in ((seller(1, "Srinagar"), "approved"), (buyer(1), "applied"), (buyer(2), "approved")):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status=status, version=2), meet))
    early_on_the_day(client)
    refused_naming(walk_in(client, meet.id, seller_id="s1", buyer_id="b1"), 422, "buyer_id")
    assert walk_in(client, meet.id, seller_id="s1", buyer_id="b2").status_code == 201


def test_a_pair_with_a_meeting_in_either_order_gets_no_second_one(meet_with_people):
    client, _, meet = meet_with_people
    early_on_the_day(client)
    assert walk_in(client, meet.id, seller_id="s1", buyer_id="b1").status_code == 201
    assert "already have a meeting" in refused_naming(walk_in(client, meet.id, seller_id="s1", buyer_id="b1"), 409)
    ctx = client.application.extensions["matching"]
    stored = ctx.meets.meet(meet.id)
    first = stored["slots"][0]
    reversed_by_old_code = {"seller_id": "b2", "buyer_id": "s2", "slot_index": 0, "slot_id": first["id"], "table": 2, "kind": "walk_in",
                            "value": 0.0, "reasons": ["agreed on the day"]}
    doc = meeting_doc(stored, reversed_by_old_code, {first["id"]: first}, ctx.profiles.many(["s2", "b2"]))
    assert add_meeting(ctx, doc, [])
    assert "already have a meeting" in refused_naming(walk_in(client, meet.id, seller_id="s2", buyer_id="b2"), 409)
    assert len(live_meetings(client, meet.id)) == 2


@pytest.fixture
def meet_needing_interpreters(matching):
    """Kashmiri-only sellers s7, s8, s9 and English-only buyers b7, b8 at a meet of two slots
    and four tables; Rafiq (ks, en) works the second slot only, Amir (ks, ur) both."""
    client, deliver = matching
    meet = Meet(name="International BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(11),
                meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-walk-interpreted")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    people = [Participant(**{**seller(n, "Budgam").__dict__, "languages": ["ks"]}) for n in (7, 8, 9)] + [buyer(7), buyer(8)]
    for person in people:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status="approved", version=2), meet))
    for interpreter_id, name, languages, works in (("int-1", "Rafiq", ["ks", "en"], slots[1:]), ("int-2", "Amir", ["ks", "ur"], slots)):
        put = client.put(f"/v1/meets/{meet.id}/interpreters/{interpreter_id}", json={"name": name, "languages": languages, "availability": works},
                         headers=ORGANISER)
        assert put.status_code == 200, put.get_json()
    early_on_the_day(client)
    return client, meet, slots


def test_a_walk_in_of_a_pair_without_a_common_language_gets_a_free_interpreter_who_bridges_them(meet_needing_interpreters):
    client, meet, slots = meet_needing_interpreters
    added = walk_in(client, meet.id, seller_id="s7", buyer_id="b7")
    assert added.status_code == 201, added.get_json()
    meeting = added.get_json()
    assert (meeting["slot_id"], meeting["interpreter"], meeting["interpreter_name"], meeting["interpreter_languages"]) == \
        (slots[1], "int-1", "Rafiq", ["ks", "en"]), "the first slot where an interpreter who bridges them is free"
    busy = walk_in(client, meet.id, seller_id="s8", buyer_id="b8", slot_id=slots[1])
    assert "interpreter" in refused_naming(busy, 409)
    assert "interpreter" in refused_naming(walk_in(client, meet.id, seller_id="s8", buyer_id="b8", slot_id=slots[0]), 409)
    assert "interpreter" in refused_naming(walk_in(client, meet.id, seller_id="s8", buyer_id="b8"), 409)
    assert [m["interpreter"] for m in live_meetings(client, meet.id)] == ["int-1"]


def test_a_pair_no_interpreter_of_the_pool_can_bridge_is_refused_saying_so(meet_needing_interpreters):
    client, meet, _ = meet_needing_interpreters
    assert client.delete(f"/v1/meets/{meet.id}/interpreters/int-1", headers=ORGANISER).status_code == 204
    assert "share no language" in refused_naming(walk_in(client, meet.id, seller_id="s7", buyer_id="b7"), 409)
    assert live_meetings(client, meet.id) == []


def test_two_walk_ins_at_once_never_share_one_interpreter(meet_needing_interpreters):
    client, meet, slots = meet_needing_interpreters
    answers = at_once(client, [("POST", f"/v1/meets/{meet.id}/walk-ins", {"seller_id": s, "buyer_id": b, "slot_id": slots[1]})
                               for s, b in (("s7", "b7"), ("s8", "b8"))])
    one_wins(answers)
    [meeting] = live_meetings(client, meet.id)
    assert meeting["interpreter"] == "int-1"
