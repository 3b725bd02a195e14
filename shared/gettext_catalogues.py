"""Gettext catalogues read straight from the ``.po`` files translators edit (no compile
step), shared by the notification messages and the web pages (one locale folder,
``services/notifications/locale``, a domain each: ``messages`` and ``web``).

Drafted (fuzzy) entries are used, deliberately; an entry whose placeholders differ from
the English (which would break the text when filled in) falls back to English.
"""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = {"en": "en_IN", "hi": "hi_IN", "ur": "ur_IN", "ks": "ks_Arab_IN", "doi": "doi_IN"}
"""Platform language code -> Babel locale (Kashmiri in Perso-Arabic script, Dogri in Devanagari)."""
FALLBACK_LANGUAGE = "en"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def read_catalogue(path: Path) -> Catalog:
    """A ``.po`` or ``.pot`` file as Babel's ``Catalog``."""
    with path.open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> list[str]:
    """The ``%(name)s`` placeholders (and ``%%``) of a message, sorted."""
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def compiled(path: Path, domain: str) -> Translations:
    """The translations of one ``.po`` file, fuzzy entries included, entries whose
    placeholders differ from the English emptied (so they fall back to English)."""
    catalogue = read_catalogue(path)
    for message in catalogue:
        if message.id and isinstance(message.string, str) and placeholders(message.string) != placeholders(message.id):
            message.string = ""
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=True)
    buffer.seek(0)
    return Translations(fp=buffer, domain=domain)


def language_of(code: str | None) -> str:
    """``code`` if the platform has catalogues for it, else English."""
    return code if code in LOCALES else FALLBACK_LANGUAGE


def locale_of(language: str) -> Locale:
    """The Babel locale that formats numbers and dates for ``language`` (English if unknown)."""
    return Locale.parse(LOCALES[language_of(language)])


def direction(language: str) -> str:
    """``"rtl"`` for Urdu and Kashmiri (Perso-Arabic script), else ``"ltr"`` (from CLDR)."""
    return locale_of(language).text_direction
