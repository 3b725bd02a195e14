"""A historical meet (one recorded after it happened) is told to nobody.

The same events (the meet created, registrations and a verification code, approvals,
suggestions, requests and answers, a published schedule with its meetings, a walk-in, a
cancellation, an LoI, a follow-up come due, the meet completed) are fed to notifications'
handlers (``build_handlers`` on the real FerretDB) for a meet ahead and for a historical
one. The meet ahead records a message of every kind; the historical one records only what
is about the person (registration received, the verification code), in every order the
events may arrive in, its meetings are still kept, and organisers get no digest about it.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from shared import correlation
from shared.contracts import notifications as own
from shared.contracts import registration as catalogue
from shared.envelope import Event
from shared.mongo import connect
from shared.one_time_codes import CodeSealer
from services.matching import messages as matching_messages
from services.notifications.digests import record_digests
from services.notifications.store import NotificationStore
from services.notifications.views import MeetNames, Tallies
from services.registration.domain.meets import COMPLETED, OPEN
from services.registration.messages import meet_event, verification_requested
from tests.integration.test_notifications_any_order import MEET, ORDERS, SELLERS, feed, happened, meeting

pytestmark = pytest.mark.stack

HISTORICAL = replace(MEET, id="meet-h", days=[date(2024, 7, 30)], historical=True)
ABOUT_THE_PERSON = {"registration_received", "verification_code"}
ABOUT_THE_MEET = {"participation_approved", "match_suggestions", "meeting_requested", "request_waiting", "meeting_accepted", "meeting_declined",
                  "schedule_published", "meeting_added", "meeting_cancelled", "meeting_reminder", "follow_up_due", "thank_you"}


def whole_story(meet) -> list[Event]:
    """``happened(meet)``, then a verification code, an LoI and the meet completed."""
    day = meet.days[0].isoformat()
    loi = {**meeting("s1", "b1", meet=meet),
           "loi": {"product": "Pashmina shawl", "quantity": {"value": "20", "unit": "pieces"}, "value": {"amount": "400000.00", "currency": "INR"},
                   "value_inr": "400000.00", "signed_on": day, "follow_up": [{"due": (meet.days[0] + timedelta(days=30)).isoformat()}]}}
    with correlation.correlated("code-s1"):
        code = verification_requested(SELLERS[0], "sms", SELLERS[0].phone, CodeSealer("test").seal("123456"), datetime.now(timezone.utc))
    with correlation.correlated("loi"):
        signed = matching_messages.loi_signed(loi)
    with correlation.correlated("close"):
        completed = meet_event(catalogue.MEET_STATUS_CHANGED, replace(meet, status=COMPLETED, version=5))
    return [*happened(meet), code, signed, completed]


def kinds(outcome) -> set[str]:
    return {n["kind"] for n in outcome.notifications}


def test_a_meet_ahead_tells_everyone_and_a_historical_one_only_what_is_about_the_person(settings_for):
    ahead = feed(settings_for, "ahead", whole_story(MEET))
    assert kinds(ahead) == ABOUT_THE_PERSON | ABOUT_THE_MEET

    historical = feed(settings_for, "historical", whole_story(HISTORICAL))
    assert kinds(historical) == ABOUT_THE_PERSON
    assert {n["recipient_id"] for n in historical.notifications if n["kind"] == "registration_received"} == {"s1", "s2", "s3", "b1", "b2"}
    assert historical.waiting == 0
    assert [(m["seller_id"], m["buyer_id"], m["status"]) for m in historical.meetings] == \
        [(m["seller_id"], m["buyer_id"], m["status"]) for m in ahead.meetings]


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_a_historical_meet_tells_nobody_whatever_order_its_events_arrive_in(settings_for, order):
    outcome = feed(settings_for, f"historical_{order}", ORDERS[order](whole_story(HISTORICAL)))
    assert kinds(outcome) == ABOUT_THE_PERSON
    assert outcome.waiting == 0


def test_organisers_get_no_digest_about_a_historical_meet(settings_for):
    """Neither the daily digest while it is open nor the results once it is completed."""
    organisers = ["desk@jktpo.example"]
    recorded: dict[str, list[int]] = {}
    for name, meet in (("digest_ahead", MEET), ("digest_historical", HISTORICAL)):
        base = settings_for("notifications").database_name
        db = connect(settings_for("notifications", NOTIFICATIONS_MONGODB_DATABASE=f"{base}_{name}"))
        store, meets, tallies = NotificationStore(db, own.TOPIC), MeetNames(db), Tallies(db)
        for version, status in ((1, OPEN), (2, COMPLETED)):
            feed(settings_for, name, [meet_event(catalogue.MEET_STATUS_CHANGED, replace(meet, status=status, version=version))])
            recorded.setdefault(name, []).append(record_digests(store, meets, tallies, organisers, date(2030, 7, 1)))
    assert recorded == {"digest_ahead": [1, 1], "digest_historical": [0, 0]}
