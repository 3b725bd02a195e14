"""No person, table or interpreter is ever in two meetings in one slot, whatever runs at the
same time: every path that creates a meeting (walk-ins, publication, repair) and every lock
takes its places in the database first, so of two requests for one place exactly one wins
and the other gets 409 problem+json. Capacity counts hold the same way.

Concurrent requests are threads on the Flask test client of one app, on the real FerretDB;
they start together at a barrier. Where an interleaving must be exact (a walk-in between a
cancellation and its repair), a hook runs it there.
"""
import threading
from collections import Counter
from dataclasses import replace
from datetime import date, time

import pytest

from shared.contracts import registration as catalogue
from services.matching.actions import requests as request_actions
from services.matching.meetings_store import MeetingStore
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER
from tests.api.test_matching_api import buyer, matching, meet_with_people, seller  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack


def at_once(client, calls: list[tuple[str, str, dict]]) -> list:
    """Send ``calls`` (method, path, json) from one thread each, released together."""
    start = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def send(index: int, method: str, path: str, body: dict, headers: dict) -> None:
        start.wait()
        answers[index] = client.open(path, method=method, json=body, headers=headers)

    threads = [threading.Thread(target=send, args=(i, *call[:3], call[3] if len(call) > 3 else ORGANISER)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def one_wins(answers: list, status: int = 201) -> None:
    assert sorted(a.status_code for a in answers) == sorted([status] + [409] * (len(answers) - 1)), [a.get_json() for a in answers]
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.mimetype == "application/problem+json" and refused.get_json()["detail"]


def live_meetings(client, meet_id: str) -> list[dict]:
    return [m for m in client.get(f"/v1/meets/{meet_id}/meetings?limit=100", headers=ORGANISER).get_json()["items"] if m["status"] != "cancelled"]


def assert_no_place_twice(meetings: list[dict]) -> None:
    people = Counter((who, m["slot_id"]) for m in meetings for who in (m["seller_id"], m["buyer_id"]))
    tables = Counter((m["table"], m["slot_id"]) for m in meetings)
    interpreters = Counter((m["interpreter"], m["slot_id"]) for m in meetings if m.get("interpreter"))
    assert max([*people.values(), *tables.values(), *interpreters.values(), 0]) <= 1, meetings


def small_meet(deliver, meet_id: str, tables: int, sellers: int, buyers: int, session_end: time = time(10, 30)) -> Meet:
    meet = Meet(name="Day-two walk-ins", venue="SKICC", city="Srinagar", days=[date(2027, 7, 31)], session_start=time(10), session_end=session_end,
                meeting_minutes=30, tables=tables, capacity_sellers=10, capacity_buyers=10, status=OPEN, id=meet_id)
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    for person in [seller(10 + n, "Srinagar") for n in range(sellers)] + [buyer(10 + n) for n in range(buyers)]:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status="approved", version=2), meet))
    return meet


def test_two_walk_ins_for_one_seller_in_one_slot_one_wins_in_every_slot(meet_with_people):
    client, _, meet = meet_with_people
    slots = [s.id for s in meet.slots()]
    for seller_id, slot in zip(("s1", "s2", "s3"), slots):
        answers = at_once(client, [("POST", f"/v1/meets/{meet.id}/walk-ins", {"seller_id": seller_id, "buyer_id": b, "slot_id": slot}) for b in ("b1", "b2")])
        one_wins(answers)
    assert len(live_meetings(client, meet.id)) == 3
    assert_no_place_twice(live_meetings(client, meet.id))


def test_walk_ins_of_different_pairs_for_the_last_table_one_wins(matching):
    client, deliver = matching
    meet = small_meet(deliver, "meet-table", tables=1, sellers=3, buyers=3)
    [slot] = [s.id for s in meet.slots()]
    answers = at_once(client, [("POST", f"/v1/meets/{meet.id}/walk-ins", {"seller_id": f"s{10 + n}", "buyer_id": f"b{10 + n}", "slot_id": slot}) for n in range(3)])
    one_wins(answers)
    refusals = [a.get_json()["detail"] for a in answers if a.status_code == 409]
    # refused for the table: by the database's claim when they raced, or by the check when the winner had landed first
    assert all("table 1 is taken" in d or "a table free" in d for d in refusals), refusals
    assert len(live_meetings(client, meet.id)) == 1


def test_a_draft_whose_places_were_taken_since_is_not_published(meet_with_people):
    client, _, meet = meet_with_people
    draft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER).get_json()
    planned = draft["meetings"][0]
    other_buyer = "b2" if planned["buyer_id"] == "b1" else "b1"
    walk_in = client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": planned["seller_id"], "buyer_id": other_buyer, "slot_id": planned["slot_id"]}, headers=ORGANISER)
    assert walk_in.status_code == 201, walk_in.get_json()

    refused = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert f"{planned['seller_id']} already has a meeting in slot {planned['slot_id']}" in refused.get_json()["detail"]
    assert [m["id"] for m in live_meetings(client, meet.id)] == [walk_in.get_json()["id"]]

    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 2}, headers=ORGANISER)
    published = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert published.status_code == 200, published.get_json()
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).get_json()["newly_published"] == 0
    assert_no_place_twice(live_meetings(client, meet.id))


def test_a_walk_in_between_a_cancellation_and_its_repair_does_not_share_the_freed_place(matching, monkeypatch):
    client, deliver = matching
    meet = small_meet(deliver, "meet-repair", tables=2, sellers=2, buyers=4)
    [slot] = [s.id for s in meet.slots()]
    b13 = {"Authorization": f"Bearer {client.application.extensions['auth'].issue('b13')}"}
    assert client.put(f"/v1/meets/{meet.id}/preferences/b13/s10", json={"preference": "no_thanks"}, headers=b13).status_code == 200
    for seller_id, buyer_id, table in (("s10", "b10", 1), ("s11", "b11", 2)):
        locked = client.post(f"/v1/meets/{meet.id}/schedule/locks", json={"seller_id": seller_id, "buyer_id": buyer_id, "slot_id": slot, "table": table}, headers=ORGANISER)
        assert locked.status_code == 201, locked.get_json()
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER)
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200

    walk_ins = []
    cancelled = MeetingStore.mark_cancelled

    def walk_in_right_after(self, meet_id, meeting_id):
        cancelled(self, meet_id, meeting_id)
        body = {"seller_id": "s10", "buyer_id": "b13", "slot_id": slot}
        thread = threading.Thread(target=lambda: walk_ins.append(client.post(f"/v1/meets/{meet.id}/walk-ins", json=body, headers=ORGANISER)))
        thread.start()
        thread.join()

    monkeypatch.setattr(MeetingStore, "mark_cancelled", walk_in_right_after)
    repaired = client.post(f"/v1/meets/{meet.id}/cancellations", json={"participant_id": "b10", "max_meetings": 1}, headers=ORGANISER)
    assert repaired.status_code == 200, repaired.get_json()
    [walk_in] = walk_ins
    assert sorted([walk_in.status_code, 201 if repaired.get_json()["added"] else 409]) == [201, 409], (walk_in.get_json(), repaired.get_json())
    meetings = live_meetings(client, meet.id)
    assert len(meetings) == 2
    assert_no_place_twice(meetings)


def test_requests_sent_at_once_never_pass_the_cap(meet_with_people, monkeypatch):
    client, _, meet = meet_with_people
    monkeypatch.setattr(request_actions, "MAX_REQUESTS_SENT", 1)
    b1 = {"Authorization": f"Bearer {client.application.extensions['auth'].issue('b1')}"}
    answers = at_once(client, [("POST", f"/v1/meets/{meet.id}/requests", {"to_id": s}, b1) for s in ("s1", "s2", "s3")])
    one_wins(answers)
    assert "most requests allowed (1)" in next(a for a in answers if a.status_code == 409).get_json()["detail"]
    sent = [r for r in client.get(f"/v1/meets/{meet.id}/requests", headers=ORGANISER).get_json()["items"] if r["from_id"] == "b1"]
    assert len(sent) == 1
    again = client.post(f"/v1/meets/{meet.id}/requests", json={"to_id": sent[0]["to_id"]}, headers=b1)
    assert again.status_code == 409 and "already asked" in again.get_json()["detail"]


def test_locks_at_once_on_one_table_one_wins(meet_with_people):
    client, _, meet = meet_with_people
    slot = meet.slots()[0].id
    answers = at_once(client, [("POST", f"/v1/meets/{meet.id}/schedule/locks", {"seller_id": s, "buyer_id": b, "slot_id": slot, "table": 1})
                               for s, b in (("s1", "b1"), ("s2", "b2"))])
    one_wins(answers)
    assert "table 1 is already locked in slot" in next(a for a in answers if a.status_code == 409).get_json()["detail"]


def test_a_pair_has_one_lock_until_it_is_removed(meet_with_people):
    client, _, meet = meet_with_people
    first, second = (s.id for s in meet.slots()[:2])
    lock = {"seller_id": "s1", "buyer_id": "b1", "slot_id": first, "table": 1}
    assert client.post(f"/v1/meets/{meet.id}/schedule/locks", json=lock, headers=ORGANISER).status_code == 201
    assert client.post(f"/v1/meets/{meet.id}/schedule/locks", json=lock, headers=ORGANISER).status_code == 201
    moved = client.post(f"/v1/meets/{meet.id}/schedule/locks", json={**lock, "slot_id": second}, headers=ORGANISER)
    assert moved.status_code == 409 and "s1/b1 is already locked elsewhere" in moved.get_json()["detail"]
    assert client.delete(f"/v1/meets/{meet.id}/schedule/locks/s1/b1", headers=ORGANISER).status_code == 204
    assert client.post(f"/v1/meets/{meet.id}/schedule/locks", json={**lock, "slot_id": second}, headers=ORGANISER).status_code == 201
    freed = client.post(f"/v1/meets/{meet.id}/schedule/locks", json={"seller_id": "s2", "buyer_id": "b2", "slot_id": first, "table": 1}, headers=ORGANISER)
    assert freed.status_code == 201, freed.get_json()
    pinned = {(m["seller_id"], m["buyer_id"]): (m["slot_id"], m["table"]) for m in client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]}
    assert pinned[("s1", "b1")] == (second, 1) and pinned[("s2", "b2")] == (first, 1)


def test_locks_the_draft_cannot_keep_are_refused_with_the_reason(meet_with_people):
    client, deliver, meet = meet_with_people
    slots = [s.id for s in meet.slots()]
    for seller_id, slot, table in (("s1", slots[0], 1), ("s2", slots[1], 2)):
        assert client.post(f"/v1/meets/{meet.id}/schedule/locks", json={"seller_id": seller_id, "buyer_id": "b1", "slot_id": slot, "table": table}, headers=ORGANISER).status_code == 201
    over = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings_by_participant": {"b1": 1}}, headers=ORGANISER)
    assert over.status_code == 409 and "b1 is locked into 2 meetings, more than their maximum of 1" in over.get_json()["detail"]

    deliver(meet_event(catalogue.MEET_UPDATED, replace(meet, tables=1, version=meet.version + 1)))
    shrunk = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    assert shrunk.status_code == 409 and "at table 2, and the meet has tables 1 to 1" in shrunk.get_json()["detail"]
