"""Message texts from Jinja2 templates, per kind and language, falling back to English.

Layout: ``templates/<kind>/<language>.subject.txt``, ``.txt`` (plain text, SMS) and
``.html`` (email), each optional except the English plain text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

from shared.one_time_codes import CodeSealer, redacted, revealed

TEMPLATES = Path(__file__).parent / "templates"
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str | None


class Renderer:
    """Renders messages; a context's sealed values (shared/one_time_codes.py) are opened
    with ``sealer`` by ``render`` (what the channel sends) and shown redacted by
    ``render_redacted`` (what is stored and listed)."""

    def __init__(self, root: Path = TEMPLATES, sealer: CodeSealer | None = None):
        self.sealer = sealer
        self.env = Environment(
            loader=FileSystemLoader(root),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
        )

    def render(self, kind: str, language: str, context: dict[str, Any]) -> Rendered:
        """The message with its sealed values opened: for the channel only."""
        return self._render_all(kind, language, revealed(context, self.sealer))

    def render_redacted(self, kind: str, language: str, context: dict[str, Any]) -> Rendered:
        """The message with its sealed values redacted: what may be stored and shown."""
        return self._render_all(kind, language, redacted(context))

    def _render_all(self, kind: str, language: str, context: dict[str, Any]) -> Rendered:
        for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            try:
                text = self._render(f"{kind}/{lang}.txt", context)
            except TemplateNotFound:
                continue
            return Rendered(
                language=lang,
                subject=self._optional(f"{kind}/{lang}.subject.txt", context) or "",
                text=text,
                html=self._optional(f"{kind}/{lang}.html", context),
            )
        raise LookupError(f"no template for {kind!r} in {language!r} or {FALLBACK_LANGUAGE!r}")

    def _render(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(**context).strip()

    def _optional(self, name: str, context: dict[str, Any]) -> str | None:
        try:
            return self._render(name, context)
        except TemplateNotFound:
            return None
