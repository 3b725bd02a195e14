"""Free text as it may enter the platform: marshmallow string fields that refuse broken text.

Every string field of every request schema of every service is one of these types (a test
walks the schemas), so a name with a line feed or a NUL, or a lone surrogate that would
fail later when stored or logged, is a 422 naming the field, never stored and never a 500.

- ``SingleLine``: names, organisations, cities, codes and choices. Refuses every control
  character (Unicode category Cc: NUL, CR, LF, TAB, ESC, DEL, C1 controls...), line and
  paragraph separators (Zl, Zp), lone surrogates (Cs), private-use (Co) and unassigned (Cn)
  code points.
- ``MultiLine``: messages and notes. Also allows LF and TAB (CRLF is taken as LF); refuses
  the rest as ``SingleLine`` does.

Both hand on the text in Unicode normal form NFC, so the same name typed on two keyboards
(a precomposed or a combining accent, Devanagari nukta forms) is stored and compared alike.
Format characters (Cf) stay allowed: zero-width joiners and non-joiners are part of how
Indic and Perso-Arabic scripts are written.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import ValidationError, fields

REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cs": "a lone surrogate (broken text)",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
MULTI_LINE_ALLOWED = frozenset("\n\t")


def text_problem(value: str, multi_line: bool = False) -> str | None:
    """Why ``value`` is not acceptable free text (a sentence naming the first offending
    character and its position, counted from 1), or None when it is."""
    for position, char in enumerate(value, 1):
        if multi_line and char in MULTI_LINE_ALLOWED:
            continue
        kind = REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind:
            hint = " Only line feeds and tabs may break the text." if multi_line else " Give it on one line, without control characters."
            return f"Contains {kind} (U+{ord(char):04X}) at character {position}." + (hint if kind.endswith(("character", "separator")) else "")
    return None


def text_pattern(multi_line: bool = False) -> str:
    """The JSON Schema ``pattern`` of acceptable text, for the OpenAPI documents: it refuses
    control characters (less LF and TAB in multi-line text), line and paragraph separators,
    surrogates and the Basic Multilingual Plane's private-use area. Unassigned code points
    and the supplementary private-use planes are refused by ``text_problem`` but not named
    here: spelled out they make a pattern of 9 kB per field that generators cannot use."""
    controls = r"\u0000-\u0008\u000b-\u001f" if multi_line else r"\u0000-\u001f"
    return "^[^" + controls + r"\u007f-\u009f\u2028\u2029\ud800-\udfff\ue000-\uf8ff]*$"


def clean_text(value: str, multi_line: bool = False) -> str:
    """``value`` in NFC; ValueError (the reason) if it holds refused characters. Multi-line
    text has CRLF turned into LF first."""
    if multi_line:
        value = value.replace("\r\n", "\n")
    problem = text_problem(value, multi_line)
    if problem:
        raise ValueError(problem)
    return unicodedata.normalize("NFC", value)


class SafeText(fields.String):
    """A string field whose text is checked by ``clean_text`` (see the module)."""

    multi_line = False

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean_text(text, self.multi_line)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class SingleLine(SafeText):
    """One line of text: no control characters at all."""


class MultiLine(SafeText):
    """Text that may hold line feeds and tabs, and no other control characters."""

    multi_line = True


class Email(SingleLine, fields.Email):
    """An email address, checked as ``SingleLine`` text first."""


class Url(SingleLine, fields.Url):
    """A URL, checked as ``SingleLine`` text first."""
