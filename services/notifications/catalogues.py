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

import re
import threading
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE = LOCALE_DIR / "messages.pot"
FALLBACK_LANGUAGE = "en"
LOCALES = {"en": "en_IN", "hi": "hi_IN", "ur": "ur_IN", "ks": "ks_Arab_IN", "doi": "doi_IN"}
"""Platform language code -> Babel locale (Kashmiri in Perso-Arabic script, Dogri in Devanagari)."""
UNREVIEWED = "machine-drafted, unreviewed"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")
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


def read_catalogue(path: Path) -> Catalog:
    """A ``.po`` or ``.pot`` file as Babel's ``Catalog``."""
    with path.open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> list[str]:
    """The ``%(name)s`` placeholders (and ``%%``) of a message, sorted."""
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def translations(language: str) -> Translations:
    """The gettext translations of ``language`` (fuzzy entries included), read once."""
    with _lock:
        return _translations(language_of(language))


@lru_cache(maxsize=None)
def _translations(language: str) -> Translations:
    catalogue = read_catalogue(po_path(language))
    for message in catalogue:
        if message.id and isinstance(message.string, str) and placeholders(message.string) != placeholders(message.id):
            message.string = ""
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=True)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")
