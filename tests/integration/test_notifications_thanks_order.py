"""Thank-you messages after a meet do not depend on the order events arrive in.

An approval made before the meet was completed may reach notifications after the
completion (its key, the participation, is on another partition than the meet's). Whoever
was approved gets one thank-you either way: from the completion when their approval came
first, from the approval when the completion came first, never two.
"""
from __future__ import annotations

import pytest

from tests.integration.test_notifications_any_order import MEET, ORDERS, feed
from tests.integration.test_notifications_historical import whole_story

pytestmark = pytest.mark.stack


def thanked(outcome) -> list[tuple[str, str]]:
    return sorted((n["recipient_id"], n["channel"]) for n in outcome.notifications if n["kind"] == "thank_you")


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_everyone_approved_is_thanked_once_whatever_the_order(settings_for, order):
    in_order = thanked(feed(settings_for, "thanks_in_order", whole_story(MEET)))
    assert in_order, "the story thanks someone"
    assert len(set(in_order)) == len(in_order)
    assert thanked(feed(settings_for, f"thanks_{order}", ORDERS[order](whole_story(MEET)))) == in_order
