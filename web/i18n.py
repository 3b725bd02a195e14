"""Languages of the web pages: the same gettext catalogues as the notification messages.

The pages' sentences are the ``web`` domain of ``services/notifications/locale``
(``web.pot`` and ``<language>/LC_MESSAGES/web.po``, kept up to date by ``make messages``),
read here as files; drafted (fuzzy) entries are used, as for the messages, and one whose
placeholders differ from the English falls back to English. The language is chosen once
and remembered in the ``lang`` cookie (a year); until then the browser's
``Accept-Language`` decides. Urdu and Kashmiri pages are right-to-left.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from datetime import date

from babel import Locale
from babel.dates import format_date
from babel.support import NullTranslations
from flask import Flask, g, request

from shared.gettext_catalogues import compiled, direction, locale_of

LOCALE_DIR = Path(__file__).resolve().parents[1] / "services" / "notifications" / "locale"
DOMAIN = "web"
COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600
LANGUAGES = {"en": "English", "hi": "हिन्दी", "ur": "اردو", "ks": "کٲشُر", "doi": "डोगरी"}
"""Platform language code -> its name in itself, as the language picker shows it."""
DEFAULT = "en"
_lock = threading.Lock()


def chosen(code: str | None) -> str:
    """``code`` if the pages have it, else English."""
    return code if code in LANGUAGES else DEFAULT


def babel_locale(language: str) -> Locale:
    """The Babel locale that formats numbers and dates for ``language``."""
    return locale_of(chosen(language))


def translations(language: str) -> NullTranslations:
    """The ``web`` domain's translations of ``language`` (no catalogue: the English text)."""
    with _lock:
        return _load(chosen(language))


@lru_cache(maxsize=None)
def _load(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    return compiled(path, DOMAIN) if path.exists() else NullTranslations()


def current() -> str:
    """The language of the page in hand: the ``lang`` cookie, else the browser's choice."""
    if "language" not in g:
        cookie = request.cookies.get(COOKIE)
        g.language = cookie if cookie in LANGUAGES else chosen(request.accept_languages.best_match(list(LANGUAGES)))
    return g.language


def gettext(message: str) -> str:
    """``message`` in the page's language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the page's language."""
    return translations(current()).ngettext(singular, plural, n)


def day(iso: str) -> str:
    """A ``YYYY-MM-DD`` date as the page's language writes it (CLDR, e.g. "Fri 30 Jul 2027",
    "30 जुल॰ 2027"); text that is no date is returned as it is."""
    try:
        return format_date(date.fromisoformat(iso), format="medium", locale=babel_locale(current()))
    except (TypeError, ValueError):
        return iso


def language_names(codes) -> str:
    """Language codes (``["ks", "en"]``) as the page's language names them (CLDR, e.g.
    "Kashmiri, English", "कश्मीरी, अंग्रेज़ी"), comma-separated; a code CLDR does not
    know is shown as it is; no codes, an empty string."""
    names = babel_locale(current()).languages
    return ", ".join(names.get(code, code) for code in codes or [])


def install(app: Flask) -> None:
    """Jinja's i18n extension with the page language's catalogue, the ``day`` and
    ``language_names`` filters, and the globals every layout needs (``language``,
    ``direction``, ``languages``)."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["language_names"] = language_names

    @app.context_processor
    def _language_globals():
        language = current()
        return {"language": language, "direction": direction(language), "languages": LANGUAGES}
