"""Indian identifiers and contact formats, validated without I/O."""
from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_INDIAN_MOBILE = re.compile(r"^\+91[6-9][0-9]{9}$")


def normalise_phone(raw: str) -> str:
    """E.164 form of a phone number; a bare 10-digit Indian mobile gets +91.

    Raises ValueError with a message fit for the person who typed it.
    """
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"0?[6-9][0-9]{9}", digits):
        digits = "+91" + digits[-10:]
    if not _E164.match(digits):
        raise ValueError("Give the phone number in international form, e.g. +919876543210.")
    if digits.startswith("+91") and not _INDIAN_MOBILE.match(digits):
        raise ValueError("An Indian mobile number has 10 digits after +91 and starts with 6, 7, 8 or 9.")
    return digits


_GSTIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GSTIN = re.compile(r"^([0-9]{2})([A-Z]{5}[0-9]{4}[A-Z])([1-9A-Z])Z([0-9A-Z])$")
_UDYAM = re.compile(r"^UDYAM-[A-Z]{2}-[0-9]{2}-[0-9]{7}$")
_IEC = re.compile(r"^[A-Z0-9]{10}$")

# The normalised forms, as the OpenAPI document gives them (a GSTIN's check character is
# more than a pattern can say).
PHONE_PATTERN = r"^\+(?:91[6-9][0-9]{9}|9[02-9][0-9]{5,13}|[1-8][0-9]{6,14})$"
GSTIN_PATTERN = _GSTIN.pattern
UDYAM_PATTERN = _UDYAM.pattern
IEC_PATTERN = _IEC.pattern


def gstin_check_character(first14: str) -> str:
    """The 15th character of a GSTIN: a base-36 Luhn-style checksum of the first 14."""
    total = 0
    for position, char in enumerate(first14):
        product = _GSTIN_CHARS.index(char) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_CHARS[(36 - total % 36) % 36]


def normalise_gstin(raw: str) -> str:
    """A GSTIN in capitals, with its format, state code and check character verified."""
    gstin = (raw or "").strip().upper()
    match = _GSTIN.match(gstin)
    if not match:
        raise ValueError("A GSTIN has 15 characters: state code, PAN, entity number, Z, check character.")
    if not 1 <= int(match.group(1)) <= 38 and match.group(1) != "97":
        raise ValueError(f"{match.group(1)} is not a GST state code.")
    if gstin_check_character(gstin[:14]) != gstin[14]:
        raise ValueError("The GSTIN's check character does not match: check it for a typing mistake.")
    return gstin


def normalise_udyam(raw: str) -> str:
    """Udyam registration number, e.g. UDYAM-JK-01-0012345."""
    udyam = (raw or "").strip().upper()
    if not _UDYAM.match(udyam):
        raise ValueError("A Udyam number looks like UDYAM-JK-01-0012345.")
    return udyam


def normalise_iec(raw: str) -> str:
    """Importer-Exporter Code: 10 letters and digits (the firm's PAN since 2020)."""
    iec = (raw or "").strip().upper()
    if not _IEC.match(iec):
        raise ValueError("An IEC has 10 letters and digits.")
    return iec
