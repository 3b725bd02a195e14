"""Message texts from Jinja2 templates translated through gettext catalogues.

Layout: ``templates/<kind>/subject.txt``, ``text.txt`` (plain text: the email's text part,
WhatsApp, inbox, and SMS unless the kind has its own), optionally ``sms.txt`` (the SMS of a
kind whose text lists things, a bounded summary, or says more than its segments hold) and
``body.html`` (the email's HTML body; without it the HTML body is the text as paragraphs).
Every translatable sentence sits in a ``{% trans %}`` block; its translations are in the
catalogues (``catalogues.py``), and numbers, amounts, dates and times pass through the language's filters (``formatting.py``).

Every email has a whole HTML document (``templates/_document.html``) with the language
and its direction (``<html lang="ur" dir="rtl">``). The subject is never empty: a subject
that renders empty in the person's language is taken from English. Every SMS is made to
fit its kind's bound (``domain/sms.py``: one segment for a time-critical kind, at most
``MAX_SEGMENTS`` = 3 for any other, in every language) by shortening its free-text values
(``SHORTENED``: names, a request's message, a reason) when they are too long; links and
numbers are never cut.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape
from markupsafe import Markup, escape

from services.notifications import catalogues
from services.notifications.catalogues import FALLBACK_LANGUAGE, LOCALES, language_of
from services.notifications.domain.sms import GSM7, fits, segment_limit, sms_segments
from services.notifications.formatting import filters
from shared.one_time_codes import CodeSealer, redacted, revealed

TEMPLATES = Path(__file__).parent / "templates"
DOCUMENT = "_document.html"
FALLBACK_SUBJECT = "BSM"
SMS_TEXT = "sms.txt"
SHORTENED = ("name", "message", "meet_name", "reason", "product", "with", "other_name", "from_name")
"""Context values an SMS too long for its bound may shorten, in this order (those it
does not show are left as they are)."""


@dataclass(frozen=True)
class Rendered:
    """A message as the channels take it: the language it is written in, a one-line
    subject (never empty), the plain text and the whole HTML document of an email."""

    language: str
    subject: str
    text: str
    html: str | None


class Renderer:
    """Renders messages; a context's sealed values (shared/one_time_codes.py) are opened
    with ``sealer`` by ``render`` (what the channel sends) and shown redacted by
    ``render_redacted`` (what is stored and listed)."""

    def __init__(self, root: Path = TEMPLATES, sealer: CodeSealer | None = None):
        self.root, self.sealer = root, sealer
        self.envs = {language: _environment(root, language) for language in LOCALES}

    def render(self, kind: str, language: str, context: dict[str, Any], channel: str | None = None) -> Rendered:
        """The message with its sealed values opened: for the channel only. Raises
        LookupError for a kind without templates, a Jinja2 error for a context that lacks
        what the templates use."""
        return self._render_all(kind, language, revealed(context, self.sealer), channel)

    def render_redacted(self, kind: str, language: str, context: dict[str, Any], channel: str | None = None) -> Rendered:
        """The message with its sealed values redacted: what may be stored and shown."""
        return self._render_all(kind, language, redacted(context), channel)

    def _render_all(self, kind: str, language: str, context: dict[str, Any], channel: str | None) -> Rendered:
        language = language_of(language)
        if not (self.root / kind / "text.txt").is_file():
            raise LookupError(f"no templates for the message kind {kind!r}")
        env = self.envs[language]
        if channel == "sms":
            own = (self.root / kind / SMS_TEXT).is_file()
            render_text = partial(_render, env, f"{kind}/{SMS_TEXT if own else 'text.txt'}")
            text, context = _fit_segments(render_text, context, segment_limit(kind))
        else:
            render_text = partial(_render, env, f"{kind}/text.txt")
            text = render_text(context)
        subject = (_render(env, f"{kind}/subject.txt", context) or _render(self.envs[FALLBACK_LANGUAGE], f"{kind}/subject.txt", context)
                   or FALLBACK_SUBJECT)
        try:
            body = Markup(_render(env, f"{kind}/body.html", context))
        except TemplateNotFound:
            body = text_as_html(text)
        html = env.get_template(DOCUMENT).render(lang=language, direction=catalogues.direction(language), subject=subject, body=body)
        return Rendered(language=language, subject=" ".join(subject.split()), text=text, html=html)


def text_as_html(text: str) -> Markup:
    """Plain text as HTML paragraphs (a blank line between them), its lines kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in p.splitlines())) for p in paragraphs)


def _environment(root: Path, language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(root),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the service, as its catalogues do: no file stat per message
    )
    env.policies["ext.i18n.trimmed"] = True
    translations = catalogues.translations(language)
    env.install_gettext_translations(translations, newstyle=True)
    env.filters.update(filters(catalogues.locale_of(language), translations.gettext))
    return env


def _render(env: Environment, name: str, context: dict[str, Any]) -> str:
    return env.get_template(name).render(**context).strip()


def _fit_segments(render_text: Callable[[dict[str, Any]], str], context: dict[str, Any], limit: int) -> tuple[str, dict[str, Any]]:
    """The text, with the ``SHORTENED`` values of ``context`` cut (longest prefix that
    fits, marked with an ellipsis) until it takes at most ``limit`` SMS segments; and the
    context used. A text that cannot be made to fit comes back as short as it gets."""
    text = render_text(context)
    for key in SHORTENED:
        if fits(text, limit):
            break
        value = context.get(key)
        if not isinstance(value, str) or not value:
            continue
        mark = "..." if sms_segments(text).encoding == GSM7 else "…"
        shortest = {**context, key: mark}
        shortest_text = render_text(shortest)
        if shortest_text == text:
            continue
        if not fits(shortest_text, limit):
            text, context = shortest_text, shortest
            continue
        low, high = 0, len(value)  # the longest prefix that fits lies in [low, high)
        while high - low > 1:
            middle = (low + high) // 2
            fitting = fits(render_text({**context, key: value[:middle].rstrip() + mark}), limit)
            low, high = (middle, high) if fitting else (low, middle)
        context = {**context, key: value[:low].rstrip() + mark}
        text = render_text(context)
    return text, context
