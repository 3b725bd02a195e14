"""The web pages' catalogues (the ``web`` domain beside the messages) are complete and
current: every sentence of the templates and views is in ``web.pot``, every language has
each one with the English placeholders, and drafts carry their review status."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from shared.gettext_catalogues import placeholders, read_catalogue
from web import i18n

WEB = Path(i18n.__file__).parent
UNREVIEWED = "machine-drafted, unreviewed"


def catalogue(language: str | None = None):
    path = i18n.LOCALE_DIR / (f"{language}/LC_MESSAGES/web.po" if language else "web.pot")
    return {m.id: m for m in read_catalogue(path) if m.id}


def test_the_template_holds_every_sentence_of_the_pages_and_no_other():
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map={"templates/**.html": {"trimmed": "true"}})}
    found = {tuple(m) if isinstance(m, (tuple, list)) else m for m in found}
    found = {m[:2] if isinstance(m, tuple) else m for m in found}
    assert found == set(catalogue()), "run `make messages` and translate the new sentences"


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_every_language_has_every_sentence_with_the_english_placeholders(language):
    messages = catalogue(language)
    assert set(messages) == set(catalogue())
    for msgid, message in messages.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        assert all(strings), (language, msgid)
        assert all(placeholders(s) == placeholders(ids[-1]) for s in strings[1:]), (language, msgid)
        assert placeholders(strings[0]) == placeholders(ids[0]), (language, msgid)
        drafted = "fuzzy" in message.flags
        assert drafted == (UNREVIEWED in message.user_comments), (language, msgid, "review status inconsistent")
        if language == "en":
            assert not drafted and strings == ids


def test_urdu_and_kashmiri_pages_are_right_to_left_and_the_others_left_to_right():
    assert {code: i18n.direction(code) for code in i18n.LANGUAGES} == {"en": "ltr", "hi": "ltr", "ur": "rtl", "ks": "rtl", "doi": "ltr"}
