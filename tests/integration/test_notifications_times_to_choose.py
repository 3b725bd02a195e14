"""Someone an edit of the meet left with no slot (``participation.availability_changed``
with no availability) is told to choose their times again, once, with the page to do it;
a change that leaves them times, or reaches someone no longer taking part, tells nobody.

Before, they were kept with no slot and nobody could meet them, and nothing said so.
"""
from __future__ import annotations

import pytest

from services.registration.domain.applications import Application
from services.registration.messages import availability_changed
from tests.integration.test_notifications_any_order import MEET, feed, happened

pytestmark = pytest.mark.stack


def changed(participant: str, role: str, availability: list[str], status: str = "approved", version: int = 3):
    return availability_changed(Application(MEET.id, participant, role, availability, status=status, version=version), MEET)


def test_someone_left_with_no_slot_is_told_once_to_choose_again_and_others_are_not(settings_for):
    emptied = changed("s1", "seller", [])
    events = happened() + [emptied, emptied, changed("b1", "buyer", [MEET.slots()[0].id]), changed("s2", "seller", [], status="withdrawn")]
    outcome = feed(settings_for, "times_to_choose", events)
    told = outcome.of_kind("times_to_choose")
    assert sorted(told) == ["s1"]
    assert sorted(n["channel"] for n in told["s1"]) == ["email", "inbox", "sms"]
    assert {n["context"]["times_url"] for n in told["s1"]} == {f"http://127.0.0.1:8005/meets/{MEET.id}/apply"}
    assert {n["context"]["meet_name"] for n in told["s1"]} == {MEET.name}
    assert outcome.waiting == 0
