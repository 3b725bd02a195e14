"""A cancelled meeting's message says why (the event's ``cancel_reason``) in one short
sentence, in every language, and its SMS stays one segment: the sentence and the time are
kept whole, the other side's name is shortened if it must be (the SMS leaves out the table
to make room). A reason the templates do not know, or none, leaves the message as it was."""
from __future__ import annotations

import pytest

from services.notifications import catalogues
from services.notifications.catalogues import LOCALES
from services.notifications.domain.sms import sms_segments
from services.notifications.rendering import Renderer
from shared.contracts.matching import CANCEL_REASONS
from tests.unit.notifications.message_samples import SAMPLES
from tests.unit.notifications.test_sms_bounds import LONG_NAME

RENDERER = Renderer()
SAMPLE = SAMPLES["meeting_cancelled"]
LANGUAGES = sorted(LOCALES)


def clause(reason: str, language: str) -> str:
    """The reason's sentence in ``language``, as the catalogue has it."""
    english = RENDERER.render("meeting_cancelled", "en", {**SAMPLE, "cancel_reason": reason}).text
    sentence = english.removeprefix(RENDERER.render("meeting_cancelled", "en", SAMPLE).text).strip()
    return catalogues.translations(language).gettext(sentence)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", CANCEL_REASONS)
def test_every_reason_is_told_in_every_language_after_the_message_of_before(reason, language):
    before = RENDERER.render("meeting_cancelled", language, SAMPLE).text
    why = clause(reason, language)
    assert why and (language == "en" or why != clause(reason, "en"))
    for channel in ("email", "whatsapp", "inbox"):
        assert RENDERER.render("meeting_cancelled", language, {**SAMPLE, "cancel_reason": reason}, channel).text == f"{before} {why}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", CANCEL_REASONS)
@pytest.mark.parametrize("name", ["Reliance Retail", LONG_NAME])
def test_the_sms_with_a_reason_is_one_segment_with_the_reason_and_time_whole(reason, language, name):
    text = RENDERER.render("meeting_cancelled", language, {**SAMPLE, "with": name, "cancel_reason": reason}, "sms").text
    assert sms_segments(text).count == 1, (sms_segments(text), text)
    assert text.endswith(clause(reason, language)) and "14:30" in text and name[:4] in text
    if language == "en" and name == "Reliance Retail":
        assert name in text, "GSM-7 leaves room for the whole name"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("context", [SAMPLE, {**SAMPLE, "cancel_reason": None}, {**SAMPLE, "cancel_reason": "a_reason_added_later"}])
def test_no_reason_or_one_not_known_leaves_the_message_as_it_was(context, language):
    for channel in ("email", "sms"):
        text = RENDERER.render("meeting_cancelled", language, context, channel).text
        assert text == RENDERER.render("meeting_cancelled", language, SAMPLE, channel).text
    assert "12" in RENDERER.render("meeting_cancelled", language, context, "sms").text, "the table, as before"
