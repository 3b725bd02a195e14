"""Matching ends in the same state whatever order registration's events reach its consumer.

Events with different keys travel on different partitions, so a participation can come
before its participant's profile, a meet's update before its creation, a withdrawal before
the approval it ends, and any event again. The same events are delivered to matching's
handlers (built as the consumer builds them, each order on a fresh database on the real
FerretDB) in adversarial orders, and the read model (profiles, meets, participations,
the roster), the suggestions queue and what was announced are compared with delivery in
the order registration published them.

The ``suggestions`` worker may run at any moment. Run after every event once the
organisers' decisions are all in, while a profile has not arrived, it must announce what
in-order delivery announces. (A profile's older version arriving, and the worker running,
before its newer one is a limit: matching cannot tell it from an update made after the
approval, and suggestions are announced once per approved version.)
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, time
from typing import Any, Callable

import pytest

from shared.contracts import matching as own
from shared.contracts import registration as catalogue
from shared.envelope import Event
from shared.mongo import connect
from shared.outbox import stored_events
from services.matching.actions import Matching, suggest_due
from services.matching.handlers import build_handlers
from services.matching.store import (
    MEETS, OUTBOX_COLLECTIONS, PARTICIPANTS, PARTICIPATION, PROFILES_AWAITED, SUGGESTIONS_DUE, MeetView, ensure_indexes,
)
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import meet_event, participant_event, participation_event
from tests.helpers import roster_settled
from tests.api.test_matching_api import buyer, seller

pytestmark = pytest.mark.stack

MEET = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(12),
            meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-order")


def registration_events() -> list[Event]:
    """What registration publishes for one meet, in the order it publishes it."""
    slots = [s.id for s in MEET.slots()]
    people = [seller(1, "Srinagar"), seller(2, "Leh"), seller(3, "Budgam", category="spices", gi=None), buyer(1), buyer(2)]
    s1, s2, s3, b1, b2 = people

    def decision(person, status: str, version: int) -> Event:
        return participation_event(Application(MEET.id, person.id, person.role, slots, status=status, version=version), MEET)

    return [
        meet_event(catalogue.MEET_CREATED, MEET),
        meet_event(catalogue.MEET_UPDATED, replace(MEET, tables=3, version=2)),
        *(participant_event(catalogue.PARTICIPANT_REGISTERED, person) for person in people),
        participant_event(catalogue.PARTICIPANT_UPDATED, replace(s1, district="Pulwama", version=2)),
        participant_event(catalogue.PARTICIPANT_UPDATED, replace(b2, sourcing={"categories": ["spices"], "products": ["saffron"]}, version=2)),
        participant_event(catalogue.PARTICIPANT_VERIFIED, replace(b2, sourcing={"categories": ["spices"], "products": ["saffron"]},
                                                                  contact_verified=True, version=3)),
        *(decision(person, "applied", 1) for person in people),
        decision(s1, "approved", 2), decision(s2, "approved", 2), decision(s3, "approved", 2), decision(b1, "approved", 2),
        decision(b2, "waitlisted", 2),
        meet_event(catalogue.MEET_STATUS_CHANGED, replace(MEET, tables=3, status="registration_closed", version=3), previous_status=OPEN),
        decision(b2, "approved", 3), decision(s3, "withdrawn", 3), decision(s2, "rejected", 3), decision(s2, "approved", 4),
    ]


EVENTS = registration_events()


def is_decision(event: Event) -> bool:
    return event.type.startswith("bsm.registration.participation.")


def is_profile(event: Event) -> bool:
    return event.type.startswith("bsm.registration.participant.")


def reversed_order(events: list[Event]) -> list[Event]:
    return events[::-1]


def shuffled(seed: int) -> Callable[[list[Event]], list[Event]]:
    def order(events: list[Event]) -> list[Event]:
        mixed = list(events)
        random.Random(seed).shuffle(mixed)
        return mixed

    return order


def keys_one_after_another(events: list[Event]) -> list[Event]:
    """Each key's events in order, one key after another: the participations first, then
    the meet, then the participants, the last registered first."""
    by_key: dict[str, list[Event]] = {}
    for event in events:
        by_key.setdefault(event.subject, []).append(event)
    decisions = [key for key, keyed in by_key.items() if is_decision(keyed[0])]
    people = [key for key, keyed in by_key.items() if is_profile(keyed[0])]
    return [e for key in decisions + [MEET.id] + people[::-1] for e in by_key[key]]


def every_event_twice(events: list[Event]) -> list[Event]:
    return [e for event in events[::-1] for e in (event, event)]


def profiles_last(participant_ids: tuple[str, ...] | None = None) -> Callable[[list[Event]], list[Event]]:
    """The dependency last: every other event, then the profiles (of ``participant_ids``,
    or everyone's), newest version first."""
    def order(events: list[Event]) -> list[Event]:
        late = [e for e in events if is_profile(e) and (participant_ids is None or e.subject in participant_ids)]
        return [e for e in events if e not in late] + late[::-1]

    return order


ORDERS = {
    "reversed": reversed_order,
    "shuffled-1": shuffled(1),
    "shuffled-7": shuffled(7),
    "keys-one-after-another": keys_one_after_another,
    "every-event-twice-reversed": every_event_twice,
    "profiles-last": profiles_last(),
}
PROFILE_LATE = {
    "reversed": reversed_order,
    "profiles-last": profiles_last(),
    "a-seller-profile-last": profiles_last(("s2",)),
    "a-buyer-profile-last": profiles_last(("b2",)),
    "a-withdrawn-seller-profile-last": profiles_last(("s3",)),
}


def deliver(settings_for, isolation, name: str, events: list[Event], worker_between: bool):
    """Deliver ``events`` to the handlers of a fresh matching database; with
    ``worker_between`` the suggestions worker runs after every event once all decisions
    are in; at the end it runs until it is quiet. Returns the database."""
    settings = settings_for("matching", MATCHING_MONGODB_DATABASE=f"{isolation['MATCHING_MONGODB_DATABASE']}_{name.replace('-', '_')}")
    db = connect(settings)
    ensure_indexes(db)
    handlers = build_handlers(db, settings)
    ctx = Matching.on(db, settings.topic(own.TOPIC))
    decisions_left = sum(1 for e in events if is_decision(e))
    for event in events:
        handlers[event.type](event)
        decisions_left -= is_decision(event)
        if worker_between and decisions_left <= 0:
            suggest_due(ctx, now=roster_settled())
    while suggest_due(ctx, now=roster_settled()):
        pass
    return db


def snapshot(db) -> dict[str, Any]:
    """What matching holds and announced, without outbox bookkeeping and correlation ids."""
    def stored(collection: str) -> dict[str, dict]:
        return {doc.pop("_id"): {k: v for k, v in doc.items() if not k.startswith("_") and k not in ("correlation_id", "suggested_at")}
                for doc in db[collection].find({})}

    announced: dict[tuple[str, str], list] = {}
    for collection in OUTBOX_COLLECTIONS:
        for doc in db[collection].find({}):
            for event in stored_events(doc):
                announced.setdefault((event.type, event.subject), []).append(event.data)
    return {
        "profiles": stored(PARTICIPANTS), "meets": stored(MEETS), "participation": stored(PARTICIPATION),
        "roster": MeetView(db).roster(MEET.id), "suggestions_due": stored(SUGGESTIONS_DUE), "profiles_awaited": stored(PROFILES_AWAITED),
        "suggestions_announced": {data[0]["participant_id"]: data for (kind, _), data in announced.items() if kind == own.MATCH_SCORES_UPDATED},
        "last_indexed_version": {subject: data[-1]["version"] for (kind, subject), data in announced.items() if kind == own.PARTICIPANT_INDEXED},
    }


@pytest.fixture(scope="module")
def in_order_cache() -> dict:
    return {}


@pytest.fixture
def in_order(settings_for, isolation, in_order_cache) -> dict[str, Any]:
    """The state after delivery in the order registration published (computed once)."""
    if "state" not in in_order_cache:
        in_order_cache["state"] = snapshot(deliver(settings_for, isolation, "in-order", EVENTS, worker_between=True))
    return in_order_cache["state"]


def test_in_order_delivery_tells_every_approved_participant_once(in_order):
    assert in_order["roster"] == {"s1": "seller", "s2": "seller", "b1": "buyer", "b2": "buyer"}
    assert {p: (d["status"], d["version"]) for p, d in in_order["participation"].items()} == {
        "meet-order:s1": ("approved", 2), "meet-order:s2": ("approved", 4), "meet-order:s3": ("withdrawn", 3),
        "meet-order:b1": ("approved", 2), "meet-order:b2": ("approved", 3),
    }
    assert {p: d["version"] for p, d in in_order["profiles"].items()} == {"s1": 2, "s2": 1, "s3": 1, "b1": 1, "b2": 3}
    assert in_order["last_indexed_version"] == {"s1": 2, "s2": 1, "s3": 1, "b1": 1, "b2": 3}
    assert (in_order["meets"][MEET.id]["version"], in_order["meets"][MEET.id]["tables"]) == (3, 3)
    told = in_order["suggestions_announced"]
    assert sorted(told) == ["b1", "b2", "s1", "s2"] and all(len(data) == 1 for data in told.values())
    assert [m["counterpart_id"] for m in told["s1"][0]["top"]] == ["b1", "b2"]
    assert sorted(m["counterpart_id"] for m in told["b1"][0]["top"]) == ["s1", "s2"]
    assert in_order["suggestions_due"] == {} and in_order["profiles_awaited"] == {}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_any_delivery_order_ends_in_the_in_order_state(settings_for, isolation, in_order, order):
    events = ORDERS[order](EVENTS)
    assert sorted(e.id for e in events) == sorted(e.id for e in EVENTS for _ in range(2 if "twice" in order else 1))
    assert snapshot(deliver(settings_for, isolation, order, events, worker_between=False)) == in_order


@pytest.mark.parametrize("order", sorted(PROFILE_LATE))
def test_the_worker_running_while_a_profile_is_missing_announces_what_in_order_delivery_does(settings_for, isolation, in_order, order):
    events = PROFILE_LATE[order](EVENTS)
    assert snapshot(deliver(settings_for, isolation, order, events, worker_between=True)) == in_order


def test_a_meet_s_suggestions_are_parked_on_a_missing_profile_until_it_arrives(settings_for, isolation):
    events = profiles_last(("s2",))(EVENTS)
    late = [e for e in events if e.subject == "s2" and is_profile(e)]
    db = deliver(settings_for, isolation, "parked", events[: -len(late)], worker_between=True)
    assert snapshot(db)["suggestions_announced"] == {}
    assert [doc["_id"] for doc in db[PROFILES_AWAITED].find({})] == ["s2"]
    ctx = Matching.on(db, "unused")
    assert sorted(e["participant_id"] for e in ctx.meets.suggestions_due(100)) == ["b1", "b2", "s1", "s2"]
    handlers = build_handlers(db, settings_for("matching"))
    for event in late:
        handlers[event.type](event)
    assert list(db[PROFILES_AWAITED].find({})) == []
    assert suggest_due(ctx, now=roster_settled()) == 4 and ctx.meets.suggestions_due(100) == []
