"""The gettext catalogues of notification messages: one ``.po`` file per language under
``locale/<language>/LC_MESSAGES/messages.po``, read with Babel when first needed (no
compile step: a fresh clone renders straight from the files translators edit).

Every entry of a language other than English carries its review status: ``#, fuzzy`` plus
the translator comment ``machine-drafted, unreviewed`` until a native speaker has checked
it, when both are removed. Drafted (fuzzy) translations are used, deliberately: a
Kashmiri-speaking artisan is better served by a drafted Kashmiri message than by English.
A translation left empty, or whose placeholders differ from the English (which would
break the message at send time), falls back to the English text of that one message.

Languages are the platform's codes (``shared.contracts.registration.LANGUAGES``), each
mapped to the Babel locale that formats its numbers and dates.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.support import Translations

from shared.gettext_catalogues import LOCALES, PLACEHOLDER, compiled, placeholders, read_catalogue  # noqa: F401  (this module's API)

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE = LOCALE_DIR / "messages.pot"
FALLBACK_LANGUAGE = "en"
UNREVIEWED = "machine-drafted, unreviewed"
_lock = threading.Lock()


def language_of(code: str | None) -> str:
    """``code`` if the platform has a catalogue for it, else English."""
    return code if code in LOCALES else FALLBACK_LANGUAGE


def locale_of(language: str) -> Locale:
    return Locale.parse(LOCALES[language_of(language)])


def direction(language: str) -> str:
    """``"rtl"`` for Urdu and Kashmiri (Perso-Arabic script), else ``"ltr"`` (from CLDR)."""
    return locale_of(language).text_direction


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def translations(language: str) -> Translations:
    """The gettext translations of ``language`` (fuzzy entries included), read once."""
    with _lock:
        return _translations(language_of(language))


@lru_cache(maxsize=None)
def _translations(language: str) -> Translations:
    return compiled(po_path(language), "messages")
