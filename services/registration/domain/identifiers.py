"""Indian identifiers and contact formats, validated without I/O."""
from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_INDIAN_MOBILE = re.compile(r"^\+91[6-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    """E.164 form of a phone number; a bare 10-digit Indian mobile gets +91.

    Raises ValueError with a message fit for the person who typed it.
    """
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"0?[6-9]\d{9}", digits):
        digits = "+91" + digits[-10:]
    if not _E164.match(digits):
        raise ValueError("Give the phone number in international form, e.g. +919876543210.")
    if digits.startswith("+91") and not _INDIAN_MOBILE.match(digits):
        raise ValueError("An Indian mobile number has 10 digits after +91 and starts with 6, 7, 8 or 9.")
    return digits
