"""Both sides of a cancelled meeting are told why, in their own language and on each of
their channels, from the cancellation event's ``cancel_reason``; a cancellation published
before events carried one is told as it always was.

The meet is ``test_notifications_any_order``'s (sellers read Urdu and are reached by SMS
and the inbox, buyers read English by email and the inbox), fed to notifications' handlers
on the real FerretDB; what each recorded notification says is rendered as the dispatcher
renders it.
"""
from __future__ import annotations

import pytest

from shared.contracts import matching as matching_events
from services.matching import messages as matching_messages
from services.notifications import catalogues
from services.notifications.rendering import Renderer
from tests.integration.test_notifications_any_order import feed, happened, meeting

pytestmark = pytest.mark.stack

RENDERER = Renderer()
CLAUSES = {
    "withdrawn": "One of you has left the meet.",
    "cancelled": "One of you can no longer come to the meet.",
    "no_show": "One of you did not come to the meet.",
    "unavailable": "One of you is no longer free at that time.",
    "meet_changed": "The organisers changed the meet's times or tables.",
    "no_shared_language": "You no longer share a language and no interpreter is free then.",
}


def with_cancellation(cancellation) -> list:
    """The meet's events with its one cancellation (s2 and b2's meeting) replaced by ``cancellation``."""
    return [cancellation if e.type == matching_events.MEETING_CANCELLED else e for e in happened()]


def told(outcome) -> dict[tuple[str, str], str]:
    """(recipient, channel) -> the text the dispatcher sends for each ``meeting_cancelled``."""
    return {(n["recipient_id"], n["channel"]): RENDERER.render(n["kind"], n["language"], n["context"], n["channel"]).text
            for found in outcome.of_kind("meeting_cancelled").values() for n in found}


@pytest.mark.parametrize("reason", sorted(CLAUSES))
def test_each_side_is_told_why_in_their_language_on_every_channel(settings_for, reason):
    cancelled = {**meeting("s2", "b2", 2, "cancelled"), "cancel_reason": reason}
    event = matching_messages.meeting_event(matching_events.MEETING_CANCELLED, cancelled)
    outcome = feed(settings_for, f"why_{reason}", with_cancellation(event) + [event])
    texts = told(outcome)
    assert sorted(texts) == [("b2", "email"), ("b2", "inbox"), ("s2", "inbox"), ("s2", "sms")]
    urdu = catalogues.translations("ur").gettext(CLAUSES[reason])
    assert urdu != CLAUSES[reason]
    for (who, channel), text in texts.items():
        assert text.endswith(CLAUSES[reason] if who == "b2" else urdu), (who, channel, text)
    assert len(outcome.of_kind("meeting_cancelled")["s2"]) == 2, "a redelivered cancellation tells nobody again"


def test_a_cancellation_published_before_events_said_why_is_told_as_before(settings_for):
    event = matching_messages.meeting_event(matching_events.MEETING_CANCELLED, meeting("s2", "b2", 2, "cancelled"))
    del event.data["cancel_reason"]
    outcome = feed(settings_for, "why_unsaid", with_cancellation(event))
    texts = told(outcome)
    assert sorted(texts) == [("b2", "email"), ("b2", "inbox"), ("s2", "inbox"), ("s2", "sms")]
    assert texts[("b2", "email")] == "BSM: meeting 30 Jul 10:00 with Weaver 2 (table 2) is cancelled."
    assert texts[("s2", "sms")] == RENDERER.render("meeting_cancelled", "ur", {"day": "2030-07-30", "start": "10:00", "table": 2, "with": "Brand 2"}, "sms").text
    assert all(not any(clause in text for clause in CLAUSES.values()) for text in texts.values())
    assert outcome.waiting == 0
