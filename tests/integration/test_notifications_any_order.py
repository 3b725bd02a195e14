"""Notifications records the same messages whatever order events with different keys
arrive in, and an event that failed part way is completed by its redelivery.

The events of a small meet (registrations, approvals, a request, suggestions, a published
2 x 2 schedule, a walk-in after it, a cancellation, a follow-up) are fed to the handlers
(``build_handlers`` on the real FerretDB) in the order they happened and in adversarial
orders that keep each key's own order, as Kafka does: reversed, interleaved, registration
last, the publication first, and seeded shuffles. Every run ends with the same recorded
notifications (kind, recipient, channel, status, correlation id, context with the meeting
lists, due time of reminders), the same meetings, and nothing left waiting.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable

import pytest

from shared import correlation
from shared.contracts import matching as matching_events
from shared.contracts import registration as catalogue
from shared.envelope import Event
from shared.mongo import connect
from services.matching import messages as matching_messages
from services.notifications.handlers import build_handlers
from services.notifications.waiting import WAITING, WAITING_FOR
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.domain.participants import Participant
from services.registration.messages import meet_event, participant_event, participation_event

pytestmark = pytest.mark.stack

MEET = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[date(2030, 7, 30)], session_start=time(10), session_end=time(12),
            meeting_minutes=30, tables=2, capacity_sellers=5, capacity_buyers=5, status=OPEN, id="meet-o", reminder_minutes=45)
SELLERS = [Participant(id=f"s{n}", role="seller", name=f"Weaver {n}", country="IN", preferred_language="ur", phone=f"+91981100000{n}",
                       email=f"w{n}@example.in" if n == 1 else None) for n in (1, 2, 3)]
BUYERS = [Participant(id=f"b{n}", role="buyer", name=f"Buyer {n}", organisation=f"Brand {n}", country="DE", preferred_language="en",
                      email=f"b{n}@brand.example") for n in (1, 2)]
PLACES = {("s1", "b1"): (0, 1), ("s1", "b2"): (1, 2), ("s2", "b1"): (1, 1), ("s2", "b2"): (0, 2), ("s3", "b1"): (2, 1)}


def meeting(seller: str, buyer: str, version: int = 1, status: str = "scheduled", meet: Meet = MEET) -> dict:
    slot, table = PLACES[(seller, buyer)]
    s = meet.slots()[slot]
    return {"_id": f"{meet.id}:{seller}:{buyer}", "meet_id": meet.id, "seller_id": seller, "buyer_id": buyer, "slot_id": s.id,
            "day": s.day.isoformat(), "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"), "table": table,
            "timezone": "Asia/Kolkata", "reasons": [], "status": status, "version": version, "interpreter": None}


def request(seller: str, buyer: str, status: str, meet: Meet = MEET) -> dict:
    return {"_id": f"{meet.id}:{seller}>{buyer}", "meet_id": meet.id, "from_id": seller, "to_id": buyer, "message": f"{seller} asks",
            "status": status, "by_organiser": False}


def happened(meet: Meet = MEET) -> list[Event]:
    """The meet's events in the order they happened, each request of a person under its own correlation id."""
    events: list[Event] = []

    def caused_by(correlation_id: str, *made: Callable[[], Event]) -> None:
        with correlation.correlated(correlation_id):
            events.extend(make() for make in made)

    caused_by("meet-created", lambda: meet_event(catalogue.MEET_CREATED, meet))
    for person in SELLERS + BUYERS:
        caused_by(f"register-{person.id}", lambda p=person: participant_event(catalogue.PARTICIPANT_REGISTERED, p))
    for person in SELLERS + BUYERS:
        application = Application(meet.id, person.id, person.role, [s.id for s in meet.slots()], status="approved", version=2)
        caused_by(f"approve-{person.id}", lambda a=application: participation_event(a, meet))
    top = [{"counterpart_id": "b2", "score": 91, "reasons": ["makes Pashmina"]}, {"counterpart_id": "b1", "score": 80, "reasons": []}]
    caused_by("suggest-s1", lambda: matching_messages.match_scores_updated(meet.id, "s1", top))
    caused_by("ask-s1-b2", lambda: matching_messages.request_event(matching_events.MEETING_REQUESTED, request("s1", "b2", "pending", meet)))
    caused_by("ask-s2-b1", lambda: matching_messages.request_event(matching_events.MEETING_REQUESTED, request("s2", "b1", "pending", meet)))
    caused_by("answer-s1-b2", lambda: matching_messages.request_event(matching_events.MEETING_ACCEPTED, request("s1", "b2", "accepted", meet)))
    caused_by("answer-s2-b1", lambda: matching_messages.request_event(matching_events.MEETING_DECLINED, request("s2", "b1", "declined", meet)))
    published = [meeting(s, b, meet=meet) for s, b in [("s1", "b1"), ("s1", "b2"), ("s2", "b1"), ("s2", "b2")]]
    stats = {"meetings": len(published), "value": 4.0, "upper_bound": 4.0, "at": datetime(2030, 6, 1, 9, tzinfo=timezone.utc)}
    caused_by("publish", *[lambda m=m: matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, m) for m in published],
              lambda: matching_messages.schedule_published(meet.id, stats, published))
    caused_by("walk-in", lambda: matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, meeting("s3", "b1", meet=meet)))
    caused_by("cancel-s2", lambda: matching_messages.meeting_event(matching_events.MEETING_CANCELLED, meeting("s2", "b2", 2, "cancelled", meet)))
    loi = {**meeting("s1", "b1", meet=meet), "loi": {"product": "Pashmina shawl", "status": "in_negotiation"}}
    caused_by("follow-up", lambda: matching_messages.follow_up_due(loi, "2030-08-29", 30))
    return events


def streams(events: list[Event]) -> list[list[Event]]:
    """The events per (topic, key), each in its own order, by first appearance."""
    by_key: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        by_key.setdefault((event.type.split(".")[1], event.subject), []).append(event)
    return list(by_key.values())


def reversed_keys(events):
    return [e for stream in reversed(streams(events)) for e in stream]


def interleaved(events):
    queues, out = [list(s) for s in reversed(streams(events))], []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop(0))
    return out


def registration_last(events):
    return [e for e in events if ".matching." in e.type] + [e for e in events if ".registration." in e.type]


def publication_first(events):
    return [e for e in events if e.type == matching_events.SCHEDULE_PUBLISHED] + [e for e in events if e.type != matching_events.SCHEDULE_PUBLISHED]


def shuffled(seed: int):
    def order(events):
        chooser, queues, out = random.Random(seed), [list(s) for s in streams(events)], []
        while any(queues):
            queue = chooser.choice([q for q in queues if q])
            out.append(queue.pop(0))
        return out
    return order


ORDERS = {"reversed": reversed_keys, "interleaved": interleaved, "registration_last": registration_last,
          "publication_first": publication_first, **{f"shuffled_{seed}": shuffled(seed) for seed in (1, 2, 3)}}


@dataclass
class Outcome:
    notifications: list[dict]
    meetings: list[dict]
    waiting: int

    def compared(self) -> list[tuple]:
        """What must not depend on the order: every recorded notification's id, kind,
        recipient, channel, status, source and correlation ids, context, and the due time of
        scheduled ones (other messages are due when recorded). The one thing that does is
        whether a schedule lists a meeting cancelled since (it does not once the
        cancellation is known: ``test_a_schedule_written_after_a_cancellation_leaves_it_out``),
        so schedules are compared without those meetings and without their calendar file."""
        cancelled = {m["_id"] for m in self.meetings if m.get("status") == "cancelled"}
        return sorted(
            (n["_id"], n["kind"], n["recipient_id"], n["channel"], n["status"], n["correlation_id"], n["source_event_id"],
             repr(sorted(_order_free(n, cancelled).items())), n["next_attempt_at"] if n["schedule_key"] else None)
            for n in self.notifications
        )

    def of_kind(self, kind: str) -> dict[str, list[dict]]:
        """Notifications of ``kind`` by recipient."""
        found: dict[str, list[dict]] = {}
        for n in self.notifications:
            if n["kind"] == kind:
                found.setdefault(n["recipient_id"], []).append(n)
        return found


def feed(settings_for, name: str, events: list[Event], deliver: Callable | None = None, wrap: Callable = lambda db: db) -> Outcome:
    """The final state after the handlers (on a database of their own) took ``events`` one by
    one, each through ``deliver(handler, event)`` (a plain call by default)."""
    base = settings_for("notifications").database_name
    settings = settings_for("notifications", NOTIFICATIONS_MONGODB_DATABASE=f"{base}_{name}")
    db = connect(settings)
    handlers = build_handlers(wrap(db), settings)
    for event in events:
        (deliver or (lambda handler, e: handler(e)))(handlers[event.type], event)
    meetings = sorted(db["meetings"].find({}), key=lambda m: m["_id"])
    return Outcome(list(db["notifications"].find({})), meetings, db[WAITING].count_documents({}) + db[WAITING_FOR].count_documents({}))


def test_in_order_each_person_hears_each_thing_once(settings_for):
    outcome = feed(settings_for, "in_order", happened())
    schedules = {who: [n["context"] for n in found if n["channel"] == "inbox"] for who, found in outcome.of_kind("schedule_published").items()}
    listed = {who: [[line["with"] for line in context["meetings"]] for context in contexts] for who, contexts in schedules.items()}
    assert listed == {"s1": [["Brand 1", "Brand 2"]], "s2": [["Brand 2", "Brand 1"]], "b1": [["Weaver 1", "Weaver 2"]], "b2": [["Weaver 2", "Weaver 1"]]}
    assert sorted(outcome.of_kind("meeting_added")) == ["b1", "s3"]
    reminders = outcome.of_kind("meeting_reminder")
    assert {who: len(found) for who, found in reminders.items()} == {"s1": 6, "s2": 4, "s3": 2, "b1": 6, "b2": 4}
    cancelled = sorted((n["recipient_id"], n["channel"]) for found in reminders.values() for n in found if n["status"] == "cancelled")
    assert cancelled == [("b2", "email"), ("b2", "inbox"), ("s2", "inbox"), ("s2", "sms")]
    assert sorted(outcome.of_kind("meeting_cancelled")) == ["b2", "s2"]
    assert sorted(outcome.of_kind("participation_approved")) == ["b1", "b2", "s1", "s2", "s3"]
    assert [n["status"] for n in outcome.of_kind("request_waiting")["b2"]] == ["cancelled", "cancelled"]
    assert sorted(outcome.of_kind("follow_up_due")) == ["b1", "s1"] and sorted(outcome.of_kind("match_suggestions")) == ["s1"]
    assert outcome.waiting == 0


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_any_order_of_keys_ends_in_the_same_messages_and_state(settings_for, order):
    events = happened()
    expected = feed(settings_for, "in_order", events)
    arrived = ORDERS[order](events)
    assert sorted(e.id for e in arrived) == sorted(e.id for e in events) and arrived != events
    outcome = feed(settings_for, order, arrived)
    assert outcome.waiting == 0
    assert outcome.meetings == expected.meetings
    missing = sorted(set(expected.compared()) - set(outcome.compared()))
    extra = sorted(set(outcome.compared()) - set(expected.compared()))
    assert (missing, extra) == ([], [])
    assert outcome.compared() == expected.compared()


def _order_free(notification: dict, cancelled: set[str]) -> dict:
    context = notification["context"]
    if notification["kind"] != "schedule_published":
        return context
    return {**{k: v for k, v in context.items() if k != "ics"}, "meetings": [line for line in context["meetings"] if line["meeting_id"] not in cancelled]}


def test_a_schedule_written_after_a_cancellation_leaves_it_out(settings_for):
    """The schedule event read after the cancellation of one of its meetings (another
    partition got there first): both sides' schedules, and their calendar files, leave
    that meeting out; the cancellation was told on its own."""
    events = happened()
    outcome = feed(settings_for, "cancelled_first", [e for e in events if e.type != matching_events.SCHEDULE_PUBLISHED]
                   + [e for e in events if e.type == matching_events.SCHEDULE_PUBLISHED])
    schedules = {who: [n["context"] for n in found if n["channel"] == "inbox"] for who, found in outcome.of_kind("schedule_published").items()}
    listed = {who: [[line["with"] for line in context["meetings"]] for context in contexts] for who, contexts in schedules.items()}
    assert listed == {"s1": [["Brand 1", "Brand 2"]], "s2": [["Brand 1"]], "b1": [["Weaver 1", "Weaver 2"]], "b2": [["Weaver 1"]]}
    cancelled = next(m["_id"] for m in outcome.meetings if m["status"] == "cancelled")
    files = {who: [n["context"]["ics"] for n in outcome.of_kind("schedule_published")[who] if n["context"].get("ics")] for who in ("s2", "b2")}
    assert all(files.values()), "each has a calendar file"
    for who, texts in files.items():
        kept = next(line["meeting_id"] for line in schedules[who][0]["meetings"])
        assert all(f"{kept}@bsm" in text and cancelled not in text for text in texts)
    assert sorted(outcome.of_kind("meeting_cancelled")) == ["b2", "s2"]
    assert outcome.waiting == 0


class InjectedCrash(Exception):
    """The process died here (as far as this delivery is concerned)."""


WRITES = {"insert_one", "insert_many", "update_one", "update_many", "replace_one", "delete_one", "delete_many", "bulk_write", "find_one_and_update"}


class CrashAfterWrites:
    """A database whose armed delivery fails right after its n-th successful write."""

    def __init__(self, db):
        self.db, self.left, self.crashes = db, None, 0

    def __getitem__(self, name):
        return _CrashingCollection(self, self.db[name])

    def __getattr__(self, name):
        return getattr(self.db, name)

    def wrote(self) -> None:
        if self.left is not None:
            self.left -= 1
            if self.left == 0:
                self.left, self.crashes = None, self.crashes + 1
                raise InjectedCrash()

    def deliver_failing_after(self, writes: int) -> Callable:
        """``deliver(handler, event)``: a first delivery that fails after ``writes`` writes
        (if it gets that far), then the redelivery."""
        def deliver(handler, event):
            self.left = writes
            try:
                handler(event)
            except InjectedCrash:
                pass
            except RuntimeError as failed:  # the crash hit parked work the event took up again
                assert "InjectedCrash" in str(failed)
            self.left = None
            handler(event)
        return deliver


class _CrashingCollection:
    def __init__(self, owner: CrashAfterWrites, collection):
        self.owner, self.collection = owner, collection

    def __getattr__(self, name):
        attribute = getattr(self.collection, name)
        if name not in WRITES:
            return attribute

        def write(*args, **kwargs):
            result = attribute(*args, **kwargs)
            self.owner.wrote()
            return result
        return write


@pytest.mark.parametrize("order", ["in_order", "reversed", "publication_first"])
@pytest.mark.parametrize("writes", [1, 2, 4])
def test_an_event_that_failed_part_way_is_completed_by_its_redelivery_and_nothing_doubles(settings_for, order, writes):
    events = happened()
    expected = feed(settings_for, "clean", events)
    crashing: list[CrashAfterWrites] = []

    def wrap(db):
        crashing.append(CrashAfterWrites(db))
        return crashing[0]

    arrived = events if order == "in_order" else ORDERS[order](events)
    outcome = feed(settings_for, f"{order}_{writes}", arrived, deliver=lambda h, e: crashing[0].deliver_failing_after(writes)(h, e), wrap=wrap)
    assert crashing[0].crashes >= len(events) // 2
    assert outcome.waiting == 0 and outcome.meetings == expected.meetings
    assert (sorted(set(expected.compared()) - set(outcome.compared())), sorted(set(outcome.compared()) - set(expected.compared()))) == ([], [])
    assert outcome.compared() == expected.compared()


def test_match_suggestions_reach_a_person_at_most_once_a_day(settings_for):
    from collections import Counter
    from dataclasses import replace
    from datetime import timedelta

    top = [{"counterpart_id": "b1", "score": 88, "reasons": []}, {"counterpart_id": "b2", "score": 70, "reasons": []}]
    again = matching_messages.match_scores_updated(MEET.id, "s1", top)
    tomorrow = replace(matching_messages.match_scores_updated(MEET.id, "s1", top[::-1]), time=again.time + timedelta(days=1))
    outcome = feed(settings_for, "daily", [*happened(), again, again, tomorrow])
    told = outcome.of_kind("match_suggestions")["s1"]
    assert set(Counter(n["channel"] for n in told).values()) == {2}, "today's first and tomorrow's, on each channel"
    assert {n["context"]["meet_name"] for n in told} == {MEET.name}, "a participant of two meets is told which one"


def test_the_schedule_message_names_the_other_side_s_contact_unless_they_opted_out(settings_for):
    from dataclasses import replace

    events = happened()
    registered = max(i for i, e in enumerate(events) if e.type == catalogue.PARTICIPANT_REGISTERED)
    private = participant_event(catalogue.PARTICIPANT_UPDATED, replace(BUYERS[1], share_contact=False, version=2))
    outcome = feed(settings_for, "contacts", [*events[:registered + 1], private, *events[registered + 1:]])
    lines = {who: {line["with"]: line["contact"] for n in found if n["channel"] == "inbox" for line in n["context"]["meetings"]}
             for who, found in outcome.of_kind("schedule_published").items()}
    assert lines["s1"] == {"Brand 1": "b1@brand.example", "Brand 2": None}
    assert lines["b1"] == {"Weaver 1": "+919811000001, w1@example.in", "Weaver 2": "+919811000002"}
    assert lines["b2"]["Weaver 1"] == "+919811000001, w1@example.in", "opting out hides your details, not the other side's"
