import re
from datetime import date, datetime, time, timedelta, timezone

import pytest

from services.registration.domain.applications import Application
from services.registration.domain.errors import Conflict, DomainError
from services.registration.domain.meets import CANCELLED, CLOSED, DRAFT, OPEN, STATUSES, TRANSITIONS, Break, Meet
from services.registration.domain.participants import Claim, Participant, register_participant


def meet(**overrides) -> Meet:
    values = dict(
        name="BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30), date(2027, 7, 31)],
        session_start=time(10), session_end=time(12), meeting_minutes=25, gap_minutes=5,
        tables=10, capacity_sellers=40, capacity_buyers=15, breaks=[Break(time(11), time(11, 15))],
    )
    values.update(overrides)
    return Meet(**values)


def test_slots_fill_each_day_around_breaks():
    slots = meet().slots()
    day_one = [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in slots if s.day == date(2027, 7, 30)]
    assert day_one == [("10:00", "10:25"), ("10:30", "10:55"), ("11:15", "11:40")]
    assert len(slots) == 6 and len({s.id for s in slots}) == 6


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"days": []}, "days"),
        ({"days": [date(2027, 7, 30)] * 2}, "days"),
        ({"session_end": time(9)}, "session_end"),
        ({"breaks": [Break(time(9), time(9, 30))]}, "breaks"),
        ({"meeting_minutes": 180}, "meeting_minutes"),
        ({"registration_opens": datetime(2027, 7, 1, tzinfo=timezone.utc), "registration_closes": datetime(2027, 6, 1, tzinfo=timezone.utc)}, "registration_closes"),
    ],
)
def test_a_meet_that_cannot_run_names_the_field(overrides, field):
    with pytest.raises(DomainError) as error:
        meet(**overrides).check()
    assert error.value.field == field


def test_every_status_pair_follows_the_lifecycle_table():
    for start in STATUSES:
        for target in STATUSES:
            subject = meet(status=start)
            if target in TRANSITIONS[start]:
                subject.transition(target)
                assert subject.status == target
            else:
                with pytest.raises(Conflict):
                    subject.transition(target)


def test_only_draft_open_or_closed_meets_are_editable_and_only_open_ones_take_applications():
    now = datetime(2027, 7, 10, tzinfo=timezone.utc)
    meet(status=CLOSED).ensure_editable()
    with pytest.raises(Conflict):
        meet(status=CANCELLED).ensure_editable()
    with pytest.raises(Conflict):
        meet(status=DRAFT).ensure_accepting_applications(now)
    meet(status=OPEN).ensure_accepting_applications(now)
    with pytest.raises(DomainError, match="closed"):
        meet(status=OPEN, registration_closes=now - timedelta(days=1)).ensure_accepting_applications(now)


def test_application_decisions_follow_their_rules():
    application = Application("m1", "p1", "seller", ["s1"])
    with pytest.raises(DomainError, match="why"):
        application.move_to("rejected", "organiser")
    application.move_to("waitlisted", "organiser")
    application.move_to("approved", "organiser")
    application.move_to("withdrawn", "p1")
    with pytest.raises(DomainError):
        application.move_to("approved", "organiser")


def test_only_verified_unexpired_claims_count():
    today = date(2027, 7, 30)
    seller = Participant(role="seller", name="A", country="IN", preferred_language="ks", phone="+919811000001")
    seller.claims = [
        Claim("gi_authorised_user", "GI-1", valid_until=date(2030, 1, 1), status="verified"),
        Claim("organic", "ORG-1", valid_until=date(2026, 1, 1), status="verified"),
        Claim("fssai", "F-1"),
    ]
    assert [c.kind for c in seller.verified_claims(today)] == ["gi_authorised_user"]


def test_cross_field_rules_of_registration():
    with pytest.raises(DomainError, match="mobile"):
        register_participant(role="seller", name="A", country="IN", preferred_language="en", email="a@b.in")
    with pytest.raises(DomainError, match="outside India"):
        register_participant(role="buyer", name="B", country="IN", preferred_language="en", email="b@c.de", international=True)


def test_days_in_the_past_are_refused_unless_the_meet_is_historical():
    today = date(2027, 7, 30)
    meet().check_days(today)
    with pytest.raises(DomainError, match="historical") as error:
        meet(days=[date(2027, 7, 29), date(2027, 7, 30)]).check_days(today)
    assert error.value.field == "days"
    meet(days=[date(2020, 1, 1)], historical=True).check_days(today)
    with pytest.raises(DomainError, match="future"):
        meet(historical=True).check_days(date(2027, 7, 30))


@pytest.mark.parametrize("day, start, end, problem", [
    (date(2027, 3, 14), time(1, 30), time(3, 30), "02:10 does not exist there (the clocks go forward)"),
    (date(2027, 11, 7), time(0, 30), time(2, 30), "01:10 happens twice there (the clocks go back)"),
])
def test_a_slot_at_a_time_a_daylight_saving_change_skips_or_repeats_is_refused(day, start, end, problem):
    """New York's clocks go from 02:00 to 03:00 on 14 March 2027 and from 02:00 back to 01:00
    on 7 November: a 02:10 slot would be the same instant as 03:10, a 01:10 one two instants."""
    shape = dict(session_start=start, session_end=end, meeting_minutes=20, gap_minutes=0, breaks=[], timezone="America/New_York")
    with pytest.raises(DomainError, match=re.escape(f"On {day.isoformat()} the clocks of America/New_York change: {problem}")) as refused:
        meet(days=[day], **shape).check()
    assert refused.value.field == "days"
    meet(days=[day + timedelta(days=1)], **shape).check()
