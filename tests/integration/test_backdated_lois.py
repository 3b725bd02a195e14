"""An LoI recorded long after it was signed asks each side once where it stands: one
status request, not the 30-, 60- and 90-day follow-ups at once (issue 14, item 4)."""
from datetime import date, timedelta

import pytest

from tests.integration.shape_scenario import MEET, Platform

pytestmark = pytest.mark.stack


def test_a_backdated_loi_sends_each_side_one_status_request(settings_for):
    platform = Platform(settings_for)
    signed_on = date.fromisoformat(MEET["days"][0])
    today = signed_on + timedelta(days=100)
    platform.run_meet(1, sellers=2, buyers=1, signed_on=signed_on.isoformat(), follow_ups_on=today, recorded_on=today)
    for later in (today, today + timedelta(days=1), today + timedelta(days=120)):
        platform.follow_ups(later)
        platform.pump()
    due = [e for e in platform.delivered if e.type.endswith(".loi.follow_up_due.v1")]
    assert [(e.data["due"], e.data["days_after_signing"]) for e in due] == [(today.isoformat(), 100)]
    told = list(platform.databases["notifications"]["notifications"].find({"kind": "follow_up_due"}))
    by_channel = [(n["recipient_id"], n["channel"]) for n in told]
    assert len({recipient for recipient, _ in by_channel}) == 2 and len(set(by_channel)) == len(by_channel), "one message per side and channel"
    assert {n["context"]["days"] for n in told} == {100}, "the days actually elapsed since signing"
