"""Free text as it may enter the platform: marshmallow string fields that refuse broken text.

Every string field of every request schema of every service is one of these types (a test
walks the schemas), so a name with a line feed or a NUL, or a lone surrogate that would
fail later when stored or logged, is a 422 naming the field, never stored and never a 500.

- ``SingleLine``: names, organisations, cities, codes and choices. Refuses every control
  character (Unicode category Cc: NUL, CR, LF, TAB, ESC, DEL, C1 controls...), line and
  paragraph separators (Zl, Zp), lone surrogates (Cs) and private-use (Co) code points.
  Code points this Python's Unicode tables do not know (Cn) pass: a phone's keyboard is
  often newer than the server's tables (an emoji of Unicode 15 is unassigned in 14), and
  these categories, unlike Cn, never change between Unicode versions. Also refuses the
  bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069):
  one left open in a name reverses or swallows whatever a message, listing or CSV shows
  after it (the "Trojan Source" attack, CVE-2021-42574, whose set of characters this is).
  Right-to-left scripts need none of them; the marks LRM, RLM and ALM (U+200E, U+200F,
  U+061C), which reach no further than their own position, stay allowed.
- ``MultiLine``: messages and notes. Also allows LF and TAB (CRLF is taken as LF); refuses
  the rest as ``SingleLine`` does.

Both refuse blank text: a value that is not empty but holds nothing visible, only
whitespace (``str.isspace``: spaces, no-break and ideographic spaces...) and format
characters (Cf: zero-width spaces and joiners, bidirectional marks, the byte order mark),
so a name of three spaces is a 422 naming the field rather than a participant nobody can
find. The empty string is left to each field's own length rule.

Both hand on the text in Unicode normal form NFC, so the same name typed on two keyboards
(a precomposed or a combining accent, Devanagari nukta forms) is stored and compared alike.
Format characters (Cf) stay allowed beside visible ones: zero-width joiners and non-joiners
are part of how Indic and Perso-Arabic scripts are written.
"""
from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

from marshmallow import ValidationError, fields, validate

REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cs": "a lone surrogate (broken text)",
    "Co": "a private-use character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI (Unicode UAX #9 section 2): the explicit
directional formatting characters whose effect runs past their own position."""
MULTI_LINE_ALLOWED = frozenset("\n\t")


def unseen(char: str) -> bool:
    """Whether ``char`` (one code point) shows nothing by itself: whitespace or a format
    character (Unicode category Cf)."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def is_blank(value: str) -> bool:
    """Whether ``value`` is non-empty and every character of it is ``unseen``."""
    return bool(value) and all(unseen(char) for char in value)


def text_problem(value: str, multi_line: bool = False) -> str | None:
    """Why ``value`` is not acceptable free text (a sentence naming the first offending
    character and its position, counted from 1, or saying it is blank), or None when it is."""
    for position, char in enumerate(value, 1):
        if multi_line and char in MULTI_LINE_ALLOWED:
            continue
        if char in BIDI_CONTROLS:
            return (f"Contains a bidirectional control (U+{ord(char):04X}) at character {position}: it would reorder the text shown after "
                    "it. Right-to-left text needs none; leave it out.")
        kind = REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind:
            hint = " Only line feeds and tabs may break the text." if multi_line else " Give it on one line, without control characters."
            return f"Contains {kind} (U+{ord(char):04X}) at character {position}." + (hint if kind.endswith(("character", "separator")) else "")
    if is_blank(value):
        return "Holds only spaces or invisible characters: write the value, or leave the field out."
    return None


def text_pattern(multi_line: bool = False) -> str:
    """The JSON Schema ``pattern`` of the text ``text_problem`` accepts, for the OpenAPI
    documents: it refuses control characters (less LF and TAB in multi-line text), line and
    paragraph separators, the bidirectional controls and the private-use areas, exactly as
    the check does. Lone
    surrogates, which the check also refuses, cannot be named in a pattern that regex
    engines working on code points (Rust's) compile, and no JSON text carries them but a
    hand-written escape. The ``|^$`` alternative matches nothing more: it keeps generators
    from folding a field's length bounds into the repetition (``{2,200}``), which takes a
    class over all of Unicode past the size limits of Rust's regex engine."""
    controls = "\\u0000-\\u0008\\u000b-\\u001f" if multi_line else "\\u0000-\\u001f"
    return f"^[^{controls}\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ue000-\\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]*$|^$"


@cache
def blank_pattern() -> str:
    """The JSON Schema ``pattern`` of blank text (``is_blank``: one or more characters, all
    ``unseen``), its class built from this Python's Unicode tables so that it states the
    check exactly. The documents give it under ``not`` beside ``text_pattern``: generators
    make valid text by dropping the rare blank string they draw, and blank text (for
    negative tests) straight from this pattern, where one pattern stating both rules
    (``^[^C]*[^CU][^C]*$``) made their work take minutes per operation and a "visible
    character somewhere" pattern left them filtering nearly every string they drew.
    Only planes 0-3 and 14 are scanned (a quarter of the time, paid by each service process
    that loads a schema): planes 4-13 have no character in any Unicode version so far and
    15-16 are private use (refused anyway); a test compares every code point."""
    ranges = [*_unseen_ranges(0, 0x40000), *_unseen_ranges(0xE0000, 0xE1000)]
    return f"^[{''.join(_escape(a) if a == b else f'{_escape(a)}-{_escape(b)}' for a, b in ranges)}]+$"


def _unseen_ranges(first: int, stop: int):
    """The runs ``(first, last)`` of ``unseen`` code points in ``range(first, stop)``."""
    start = None
    for code in range(first, stop + 1):
        inside = code < stop and not 0xD800 <= code <= 0xDFFF and unseen(chr(code))
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            yield start, code - 1
            start = None


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


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
    """A URL, checked as ``SingleLine`` text first. The OpenAPI document gives the pattern of
    the plainest URLs it takes, with a domain name and printable ASCII after it; the field
    takes more (IP addresses, userinfo, ports, letters beyond ASCII), where what a URL may
    point to decides (shared/destinations.py)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        schemes = "|".join(sorted(next(v for v in self.validators if isinstance(v, validate.URL)).schemes))
        domain = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}"
        self.metadata = {"pattern": f"^(?:{schemes})://{domain}(?:/|[/?#][!-~]+)?$", **self.metadata}
