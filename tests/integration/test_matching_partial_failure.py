"""A matching handler that fails part-way is completed by the redelivery, and nothing is
done twice.

Each handler (built as the consumer builds them, on the real FerretDB) is failed once
right after one of its effects (a store method raises on its first call), the event is
delivered again, and everything matching holds and announced is compared with the same
events handled without a failure.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, time
from typing import Any, Callable

import pytest

from shared.contracts import matching as own
from shared.contracts import registration as catalogue
from shared.envelope import Event
from shared.mongo import connect
from shared.outbox import stored_events
from services.matching import store
from services.matching.actions import Matching, draft_schedule, publish_schedule, suggest_due
from services.matching.actions.publishing import cancel_participant
from services.matching.handlers import build_handlers
from services.matching.meetings_store import MeetingStore
from services.matching.store import OUTBOX_COLLECTIONS, PARTICIPATION, PROFILES_AWAITED, MeetView, ProfileStore, ensure_indexes
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import meet_event, participant_event, participation_event
from tests.helpers import roster_settled
from tests.api.test_matching_api import buyer, seller

pytestmark = pytest.mark.stack

MEET = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(12),
            meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-partial")
PEOPLE = [seller(1, "Srinagar"), seller(2, "Budgam"), seller(3, "Pulwama", category="spices", gi=None), buyer(1), buyer(2)]
SLOTS = [s.id for s in MEET.slots()]


class Injected(RuntimeError):
    pass


def decision(person, status: str, version: int) -> Event:
    return participation_event(Application(MEET.id, person.id, person.role, SLOTS, status=status, version=version), MEET)


def fail_once(monkeypatch, owner: Any, name: str, after: bool = False) -> list[str]:
    """Make ``owner.name`` raise on its first call (``after``: once it has done its work)."""
    original = getattr(owner, name)
    failed: list[str] = []

    def failing(*args, **kwargs):
        if failed:
            return original(*args, **kwargs)
        failed.append(name)
        if after:
            original(*args, **kwargs)
        raise Injected(name)

    monkeypatch.setattr(owner, name, failing)
    return failed


class MatchingDb:
    """One fresh matching database, its handlers as the consumer builds them."""

    def __init__(self, settings_for, isolation, name: str):
        settings = settings_for("matching", MATCHING_MONGODB_DATABASE=f"{isolation['MATCHING_MONGODB_DATABASE']}_{name}")
        self.db = connect(settings)
        ensure_indexes(self.db)
        self.handlers = build_handlers(self.db, settings)
        self.ctx = Matching.on(self.db, settings.topic(own.TOPIC))

    def deliver(self, event: Event, attempts: int = 3) -> None:
        """Handle an event; while the handler fails, deliver it again, as the consumer does."""
        for _ in range(attempts - 1):
            try:
                return self.handlers[event.type](event)
            except Injected:
                pass
        self.handlers[event.type](event)

    def state(self) -> dict[str, Any]:
        """Meetings (documents and the meet's live list), participations, the suggestions
        due-queue and parks, and every event announced, counted by type and subject."""
        events = Counter(
            (event.type, event.subject)
            for collection in OUTBOX_COLLECTIONS for doc in self.db[collection].find({}) for event in stored_events(doc)
        )
        meetings = {m["_id"]: (m["status"], m["slot_id"], m["table"], m["version"]) for m in self.ctx.meetings.for_meet(MEET.id)}
        participation = {d["_id"]: (d["status"], d["version"], d.get("suggested_version"), d.get("repair")) for d in self.db[PARTICIPATION].find({})}
        return {
            "meetings": meetings, "live": [p["meeting_id"] for p in self.ctx.meetings.placements(MEET.id)], "participation": participation,
            "roster": self.ctx.meets.roster(MEET.id), "due": sorted(e["_id"] for e in self.ctx.meets.suggestions_due(100)),
            "awaited": sorted(d["_id"] for d in self.db[PROFILES_AWAITED].find({})),
            "events": {key: n for key, n in events.items() if key[0] != own.SCHEDULE_PUBLISHED},
        }


def published_meet(matching: MatchingDb) -> str:
    """A published schedule of at most one meeting each (so pairs are left out for a
    repair to place); returns a seller who has a meeting."""
    matching.deliver(meet_event(catalogue.MEET_CREATED, MEET))
    for person in PEOPLE:
        matching.deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        matching.deliver(decision(person, "approved", 2))
    assert suggest_due(matching.ctx, now=roster_settled()) == len(PEOPLE)
    draft_schedule(matching.ctx, MEET.id, max_meetings=1)
    publish_schedule(matching.ctx, MEET.id)
    return sorted(p["seller_id"] for p in matching.ctx.meetings.placements(MEET.id))[0]


FAULTS: dict[str, Callable[[Any], list[str]]] = {
    "after-the-participation-is-stored": lambda mp: fail_once(mp, MeetView, "queue_suggestions"),
    "after-the-roster-is-aligned": lambda mp: fail_once(mp, store, "roster_member", after=True),
    "before-the-first-meeting-added": lambda mp: fail_once(mp, MeetingStore, "publish"),
    "before-the-first-meeting-added-is-listed": lambda mp: fail_once(mp, MeetingStore, "_list_chunk"),
    "after-the-first-meeting-cancelled": lambda mp: fail_once(mp, MeetingStore, "update", after=True),
    "before-a-cancelled-meeting-leaves-the-list": lambda mp: fail_once(mp, MeetingStore, "mark_cancelled"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_withdrawal_that_failed_part_way_repairs_the_schedule_once(settings_for, isolation, monkeypatch, fault):
    reference = MatchingDb(settings_for, isolation, "reference")
    leaver = published_meet(reference)
    before = reference.state()
    reference.deliver(decision(next(p for p in PEOPLE if p.id == leaver), "withdrawn", 3))
    expected = reference.state()
    cancelled = [m for m, (status, *_) in expected["meetings"].items() if status == "cancelled"]
    assert cancelled and all(leaver in m for m in cancelled) and not set(cancelled) & set(expected["live"])
    assert expected["meetings"].keys() - before["meetings"].keys(), "the repair places pairs that were left out"

    faulty = MatchingDb(settings_for, isolation, "faulty")
    assert published_meet(faulty) == leaver and faulty.state() == before
    failed = FAULTS[fault](monkeypatch)
    withdrawal = decision(next(p for p in PEOPLE if p.id == leaver), "withdrawn", 3)
    faulty.deliver(withdrawal)
    assert failed, "the fault was injected"
    assert faulty.state() == expected
    faulty.deliver(withdrawal)
    assert faulty.state() == expected, "a later redelivery changes nothing"


def test_an_approval_that_failed_part_way_is_queued_and_announced_once(settings_for, isolation, monkeypatch):
    reference = MatchingDb(settings_for, isolation, "reference")
    faulty = MatchingDb(settings_for, isolation, "faulty")
    events = [meet_event(catalogue.MEET_CREATED, MEET), *(participant_event(catalogue.PARTICIPANT_REGISTERED, p) for p in PEOPLE),
              *(decision(p, "approved", 2) for p in PEOPLE)]
    for event in events:
        reference.deliver(event)
    fail_once(monkeypatch, store, "roster_member")
    fail_once(monkeypatch, MeetView, "queue_suggestions", after=True)
    for event in events:
        faulty.deliver(event)
    assert faulty.state() == reference.state()
    assert suggest_due(faulty.ctx, now=roster_settled()) == suggest_due(reference.ctx, now=roster_settled()) == len(PEOPLE)
    assert faulty.state() == reference.state()


def test_a_profile_that_failed_part_way_still_ends_the_wait_for_it(settings_for, isolation, monkeypatch):
    matching = MatchingDb(settings_for, isolation, "profile")
    matching.deliver(meet_event(catalogue.MEET_CREATED, MEET))
    for person in PEOPLE:
        matching.deliver(decision(person, "approved", 2))
    for person in PEOPLE[1:]:
        matching.deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
    assert matching.state()["awaited"] == [PEOPLE[0].id] and suggest_due(matching.ctx, now=roster_settled()) == 0
    failed = fail_once(monkeypatch, ProfileStore, "arrived")
    matching.deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, PEOPLE[0]))
    assert failed and matching.state()["awaited"] == []
    assert suggest_due(matching.ctx, now=roster_settled()) == len(PEOPLE)


@pytest.mark.parametrize("fault", ["after-the-first-meeting-cancelled", "before-a-cancelled-meeting-leaves-the-list"])
def test_an_organisers_cancellation_that_failed_part_way_is_completed_by_calling_again(settings_for, isolation, monkeypatch, fault):
    reference = MatchingDb(settings_for, isolation, "reference")
    leaver = published_meet(reference)
    cancel_participant(reference.ctx, MEET.id, leaver, "no-show")
    expected = reference.state()
    assert not [m for m in expected["live"] if leaver in m]

    faulty = MatchingDb(settings_for, isolation, "faulty")
    assert published_meet(faulty) == leaver
    failed = FAULTS[fault](monkeypatch)
    with pytest.raises(Injected):
        cancel_participant(faulty.ctx, MEET.id, leaver, "no-show")
    assert failed
    cancel_participant(faulty.ctx, MEET.id, leaver, "no-show")
    assert faulty.state() == expected
