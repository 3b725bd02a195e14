"""How many segments an SMS takes, and how many each kind may take.

Every SMS is billed per segment, so every kind has a bound, in every language the
platform writes (en, hi, ur, ks, doi): a time-critical kind (``ONE_SEGMENT_KINDS``) fits
one segment; any other kind at most ``MAX_SEGMENTS`` (3: 201 UCS-2 or 459 GSM-7
characters), whatever its data. A kind whose message lists things (a schedule's meetings
with contacts, match suggestions, an organiser's tallies) has an SMS template of its own
that summarises them (how many, the first meeting, where to see the rest: the agenda in
the web app); the full list goes by email, WhatsApp and the in-app inbox. Free text
(names, a request's message, a reason) is shortened to fit (``rendering.py``).

A text every character of which is in the GSM 03.38 alphabet travels as GSM-7: 160
septets in one segment, 153 per segment of a longer (concatenated) message, a character of
the extension table (``{ } [ ] ~ \\ | ^ €``) taking two septets that are never split
between segments. Any other character (Devanagari, Perso-Arabic, ``ç``, an emoji) makes
the whole text UCS-2: 70 UTF-16 code units in one segment, 67 per segment otherwise, a
surrogate pair never split (3GPP TS 23.038 and 23.040). The alphabet is the ``gsm0338``
codec's. Nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7, UCS2 = "GSM-7", "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}
ONE_SEGMENT_KINDS = frozenset({"verification_code", "meeting_reminder", "meeting_added", "meeting_cancelled", "meeting_changed"})
"""Time-critical kinds whose SMS must arrive whole, as one segment, in every language."""
MAX_SEGMENTS = 3
"""The most segments an SMS of any other kind takes, in every language."""


@dataclass(frozen=True)
class Segments:
    """``encoding`` (``GSM-7`` or ``UCS-2``), ``units`` (septets or UTF-16 code units in
    all) and ``count`` (segments the text is sent as; an empty text still takes one)."""

    encoding: str
    units: int
    count: int


def sms_segments(text: str) -> Segments:
    """The segments ``text`` takes as one SMS."""
    try:
        sizes = [len(char.encode("gsm03.38")) for char in text]
        encoding = GSM7
    except UnicodeEncodeError:
        sizes = [len(char.encode("utf-16-le")) // 2 for char in text]
        encoding = UCS2
    single, part = LIMITS[encoding]
    total = sum(sizes)
    if total <= single:
        return Segments(encoding, total, 1)
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return Segments(encoding, total, count)


def fits_one(text: str) -> bool:
    """Whether ``text`` is sent as a single segment."""
    return sms_segments(text).count == 1


def segment_limit(kind: str) -> int:
    """The most segments an SMS of ``kind`` may take: 1 for a time-critical kind,
    ``MAX_SEGMENTS`` for any other."""
    return 1 if kind in ONE_SEGMENT_KINDS else MAX_SEGMENTS


def fits(text: str, limit: int) -> bool:
    """Whether ``text`` is sent in at most ``limit`` segments."""
    return sms_segments(text).count <= limit
