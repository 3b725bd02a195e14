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

from babel.support import Translations

from shared.gettext_catalogues import (  # noqa: F401  (this module's API)
    FALLBACK_LANGUAGE, LOCALES, PLACEHOLDER, compiled, direction, language_of, locale_of, placeholders, read_catalogue,
)

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE = LOCALE_DIR / "messages.pot"
UNREVIEWED = "machine-drafted, unreviewed"
_lock = threading.Lock()


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def translations(language: str) -> Translations:
    """The gettext translations of ``language`` (fuzzy entries included), read once."""
    with _lock:
        return _translations(language_of(language))


@lru_cache(maxsize=None)
def _translations(language: str) -> Translations:
    return compiled(po_path(language), "messages")
