"""Approvals are recorded by the consumer at once; the suggestions worker tells each
approved participant their best matches once, whatever the redeliveries, and only once
the profile of everyone approved at the meet is in.

Registration's own message builders make the events and matching's consumer handlers
take them on the real FerretDB; ``suggest_due`` is what the ``suggestions`` worker runs.
"""
from datetime import date, time

import pytest

from shared.contracts import matching as own
from shared.contracts import registration as catalogue
from shared.mongo import connect
from shared.outbox import stored_events
from services.matching.actions import Matching, recommendations, suggest_due
from services.matching.actions.suggestions import SETTLE
from services.matching.handlers import build_handlers
from services.matching.store import ensure_indexes
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.messages import meet_event, participant_event, participation_event
from tests.helpers import roster_settled
from tests.api.test_matching_api import buyer, seller

pytestmark = pytest.mark.stack

DISTRICTS = ("Srinagar", "Budgam", "Pulwama", "Leh")


@pytest.fixture
def matching(settings_for):
    settings = settings_for("matching")
    db = connect(settings)
    ensure_indexes(db)
    handlers = build_handlers(db, settings)
    meet = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(12),
                meeting_minutes=30, tables=4, capacity_sellers=50, capacity_buyers=20, status=OPEN, id="meet-s")

    def deliver(event) -> None:
        handlers[event.type](event)

    deliver(meet_event(catalogue.MEET_CREATED, meet))
    return Matching.on(db, settings.topic(own.TOPIC)), deliver, meet


def approval(meet: Meet, person, status: str = "approved", version: int = 2):
    return participation_event(Application(meet.id, person.id, person.role, [s.id for s in meet.slots()], status=status, version=version), meet)


def suggestions_of(ctx: Matching, meet: Meet, participant_id: str) -> list[dict]:
    doc = ctx.meets.participation(meet.id, participant_id) or {}
    return [e.data for e in stored_events(doc) if e.type == own.MATCH_SCORES_UPDATED]


def queued(ctx: Matching) -> list[str]:
    return sorted(e["participant_id"] for e in ctx.meets.suggestions_due(1000))


def test_every_approved_participant_hears_their_best_matches_once(matching):
    ctx, deliver, meet = matching
    first = seller(0, "Srinagar")
    deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, first))
    deliver(approval(meet, first))
    assert suggest_due(ctx, now=roster_settled()) == 0
    assert queued(ctx) == ["s0"], "approved before anyone on the other side: it waits"

    late = seller(99, "Leh")
    deliver(approval(meet, late))
    sellers = [seller(n, DISTRICTS[n % 4], category=("handloom", "spices")[n % 2]) for n in range(1, 31)]
    buyers = [buyer(n) for n in range(1, 9)]
    events = []
    for person in sellers + buyers:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        events.append(approval(meet, person))
        deliver(events[-1])
    approved = sorted(p.id for p in [first, late, *sellers, *buyers])
    assert sorted(ctx.meets.roster(meet.id)) == approved
    assert all(suggestions_of(ctx, meet, p) == [] for p in approved), "the consumer does not compute suggestions"
    for event in events:
        deliver(event)
    assert queued(ctx) == approved, "one entry each, redeliveries included"

    assert suggest_due(ctx, now=roster_settled()) == 0
    assert queued(ctx) == approved, "s99's profile has not arrived: the whole meet waits for it, or s99 would be missing from what others hear"
    assert ctx.profiles.awaited() == {"s99"}
    deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, late))
    assert ctx.profiles.awaited() == set()
    assert suggest_due(ctx, now=roster_settled()) == len(approved) and queued(ctx) == []
    for participant_id in approved:
        [told] = suggestions_of(ctx, meet, participant_id)
        side = "buyer" if participant_id.startswith("s") else "seller"
        expected = [{"counterpart_id": m[side]["id"], "score": m["score"], "reasons": m["reasons"]} for m in recommendations(ctx, meet.id, participant_id, 5)]
        assert told == {"meet_id": meet.id, "participant_id": participant_id, "top": expected}
    assert len(suggestions_of(ctx, meet, "s0")[0]["top"]) == 5

    for event in events:
        deliver(event)
    assert queued(ctx) == [] and suggest_due(ctx, now=roster_settled()) == 0
    assert [len(suggestions_of(ctx, meet, p)) for p in approved] == [1] * len(approved)

def test_an_approval_withdrawn_before_the_worker_runs_is_not_announced(matching):
    ctx, deliver, meet = matching
    for person in (seller(1, "Srinagar"), buyer(1)):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(approval(meet, person))
    deliver(approval(meet, buyer(1), status="withdrawn", version=3))
    assert suggest_due(ctx, now=roster_settled()) == 0
    assert queued(ctx) == ["s1"], "the buyer's entry is dropped; the seller waits for a buyer"
    assert suggestions_of(ctx, meet, "b1") == []


def test_a_historical_meet_tells_nobody_their_matches_and_a_meet_not_yet_known_waits(matching):
    ctx, deliver, _ = matching
    historical = Meet(name="Srinagar BSM 2024", venue="SKICC", city="Srinagar", days=[date(2024, 7, 30)], session_start=time(10),
                      session_end=time(12), meeting_minutes=30, tables=4, capacity_sellers=50, capacity_buyers=20, status=OPEN, id="meet-h",
                      historical=True)
    for person in (seller(1, "Srinagar"), buyer(1)):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(approval(historical, person))
    assert suggest_due(ctx, now=roster_settled()) == 0 and queued(ctx) == ["b1", "s1"], "the meet is not known yet: whether anyone may be told waits for it"
    deliver(meet_event(catalogue.MEET_CREATED, historical))
    assert suggest_due(ctx, now=roster_settled()) == 0 and queued(ctx) == []
    assert suggestions_of(ctx, historical, "s1") == suggestions_of(ctx, historical, "b1") == []


def test_counterparts_approved_later_are_announced_once_a_day_to_those_they_now_suit(matching):
    from datetime import datetime, timedelta, timezone

    ctx, deliver, meet = matching
    start = datetime(2027, 7, 1, 9, tzinfo=timezone.utc)
    first_seller, first_buyer = seller(0, "Srinagar"), buyer(0)
    for person in (first_seller, first_buyer):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(approval(meet, person))
    assert suggest_due(ctx, now=start) == 2
    assert [m["counterpart_id"] for m in suggestions_of(ctx, meet, "s0")[0]["top"]] == ["b0"]

    later = [buyer(n) for n in range(1, 7)]
    events = []
    for person in later:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        events.append(approval(meet, person))
        deliver(events[-1])
    assert suggest_due(ctx, now=start + timedelta(hours=1)) == 6, "the newcomers hear at once"
    assert queued(ctx) == ["s0"], "the seller they now suit is queued again; b0 (same side as the newcomers) is not"
    for event in events:
        deliver(event)
    assert suggest_due(ctx, now=start + timedelta(hours=23)) == 0, "not twice within a day"
    assert len(suggestions_of(ctx, meet, "s0")) == 1

    assert suggest_due(ctx, now=start + timedelta(days=1)) == 1
    [_, refreshed] = suggestions_of(ctx, meet, "s0")
    expected = [{"counterpart_id": m["buyer"]["id"], "score": m["score"], "reasons": m["reasons"]} for m in recommendations(ctx, meet.id, "s0", 5)]
    assert refreshed["top"] == expected and len(expected) == 5
    assert queued(ctx) == [] and suggest_due(ctx, now=start + timedelta(days=3)) == 0
    assert [len(suggestions_of(ctx, meet, p)) for p in ("s0", "b0", "b1", "b6")] == [2, 1, 1, 1]


def test_an_early_seller_hears_of_the_whole_run_of_buyers_approved_not_only_its_first(matching):
    from datetime import datetime, timezone

    ctx, deliver, meet = matching
    early = seller(0, "Srinagar")
    deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, early))
    deliver(approval(meet, early))
    assert suggest_due(ctx, now=roster_settled()) == 0, "no buyer yet"
    buyers = [buyer(n) for n in range(1, 6)]
    for person in buyers:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
    deliver(approval(meet, buyers[0]))
    assert suggest_due(ctx, now=datetime.now(timezone.utc)) == 0, "the first buyer of a run is in and the roster is still changing"
    for person in buyers[1:]:
        deliver(approval(meet, person))
    _, changed_at = ctx.meets.roster_changed_at(meet.id)
    deliver(approval(meet, buyers[0]))
    assert ctx.meets.roster_changed_at(meet.id)[1] == changed_at, "a redelivered approval changes nothing on the roster"

    assert suggest_due(ctx, now=changed_at + SETTLE) == 6
    [told] = suggestions_of(ctx, meet, "s0")
    assert sorted(m["counterpart_id"] for m in told["top"]) == ["b1", "b2", "b3", "b4", "b5"]
