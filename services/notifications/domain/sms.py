"""How many segments an SMS takes, and which kinds must fit in one.

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
    return sms_segments(text).count == 1
