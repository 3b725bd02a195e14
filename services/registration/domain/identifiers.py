"""Indian identifiers and contact formats, validated without I/O.

Phone numbers are parsed and formatted by ``phonenumbers`` (Google's libphonenumber
metadata) and GSTINs checked by ``python-stdnum``; only the Udyam number and the IEC,
which no library covers, are checked by hand here (a Udyam number's state code against
ISO 3166-2:IN, from ``pycountry``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import phonenumbers
import pycountry
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from services.registration.domain.vocabularies import COUNTRY_CODES

DEFAULT_REGION = "IN"
_INDIAN_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_SPREADSHEET_EXPONENT = re.compile(r"^\s*\d(\.\d+)?[eE]\+?\d+\s*$")
_SPREADSHEET_DECIMAL = re.compile(r"^(\s*\+?\d+)\.0+\s*$")
_EXAMPLE = "e.g. +91 98765 43210"

_PARSE_ERRORS = {
    NumberParseException.NOT_A_NUMBER: f"This is not a phone number: give its digits, {_EXAMPLE}.",
    NumberParseException.INVALID_COUNTRY_CODE: "The country code is not one in use: start an international number with + and its country code, e.g. +44 20 7946 0958.",
    NumberParseException.TOO_SHORT_AFTER_IDD: "Too few digits after the international prefix (00): give the country code and the number.",
    NumberParseException.TOO_SHORT_NSN: f"Too few digits for a phone number, {_EXAMPLE}.",
    NumberParseException.TOO_LONG: f"Too many digits for a phone number, {_EXAMPLE}.",
}
_LENGTH_ERRORS = {
    ValidationResult.TOO_SHORT: "Too few digits for a phone number of +{code}.",
    ValidationResult.TOO_LONG: "Too many digits for a phone number of +{code}.",
    ValidationResult.INVALID_LENGTH: "The number of digits does not fit a phone number of +{code}.",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "This is a local number: give it with its area code and country code, e.g. +44 20 7946 0958.",
    ValidationResult.INVALID_COUNTRY_CODE: _PARSE_ERRORS[NumberParseException.INVALID_COUNTRY_CODE],
}


def phone_region(record: object) -> str:
    """The region a phone of ``record`` (a participant's fields, as given) is read in when
    written without its country code: its ``country`` when that is an ISO 3166-1 alpha-2
    code, else ``DEFAULT_REGION`` (sellers, and buyers who name no country or a wrong one,
    which their own field reports)."""
    country = record.get("country") if isinstance(record, Mapping) else None
    return country if isinstance(country, str) and country in COUNTRY_CODES else DEFAULT_REGION


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form (``+919876512346``) of a phone number as people and spreadsheets write it.

    A number written without its country code is read as a number of ``region`` (ISO
    3166-1 alpha-2: the country of the person who gave it; India unless said), so a London
    buyer's ``07911 123456`` is ``+447911123456``, never the Indian mobile ``+917911123456``.
    Parsed by ``phonenumbers``; with India as the region, ``9876512346``,
    ``09876512346``, ``919876512346`` (the country code without ``+``, as spreadsheets hold
    it), ``+91 98765 12346`` and ``0091 9876512346`` are all the same number; any number
    valid in its own country is accepted with its ``+`` country code. An Indian number must
    be a mobile (codes and schedules go out by SMS). Raises ValueError with a message fit
    for the person who typed it, chosen from the library's error type.
    """
    text = raw or ""
    if _SPREADSHEET_EXPONENT.match(text):
        raise ValueError(f"{text.strip()} is how a spreadsheet shows a long number, with digits lost: format the phone column as text and export it again.")
    text = _SPREADSHEET_DECIMAL.sub(r"\1", text)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise ValueError(_PARSE_ERRORS.get(exc.error_type, _PARSE_ERRORS[NumberParseException.NOT_A_NUMBER])) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != ValidationResult.IS_POSSIBLE:
        raise ValueError(_LENGTH_ERRORS.get(reason, _LENGTH_ERRORS[ValidationResult.INVALID_LENGTH]).format(code=number.country_code))
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"No phone number of +{number.country_code} is written like this: check the digits, {_EXAMPLE}.")
    if number.country_code == 91 and phonenumbers.number_type(number) not in _INDIAN_MOBILE_TYPES:
        raise ValueError("This is not an Indian mobile number: give a mobile (10 digits after +91, starting with 6, 7, 8 or 9).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
# GST state codes in use that python-stdnum 2.2 does not list (it stops at 37).
STATE_CODES_BEYOND_STDNUM = {"38": "Ladakh", "97": "Other Territory"}
_UDYAM = re.compile(r"^UDYAM-[A-Z]{2}-[0-9]{2}-[0-9]{7}$")
FORMER_STATE_CODES = {"CT": "Chhattisgarh", "OR": "Odisha", "TG": "Telangana", "UT": "Uttarakhand", "DD": "Daman and Diu", "DN": "Dadra and Nagar Haveli"}
"""Codes ISO 3166-2:IN has since replaced (DD and DN merged into DH with the union territories;
CT, OR, TG, UT renamed CG, OD, TS, UK), which ``pycountry`` no longer lists. Several are
also states' vehicle registration (RTO) codes, so Udyam numbers written with them are taken
beside today's codes rather than refused."""
UDYAM_STATE_CODES: frozenset[str] = frozenset(
    s.code.removeprefix("IN-") for s in pycountry.subdivisions.get(country_code="IN")
) | frozenset(FORMER_STATE_CODES)
"""The two letters a Udyam number may name its state or union territory by: ISO 3166-2:IN
(``pycountry``, e.g. JK, MH, LA) and ``FORMER_STATE_CODES``."""
_IEC = re.compile(r"^[A-Z0-9]{10}$")

# The normalised forms, as the OpenAPI document gives them (a GSTIN's check character is
# more than a pattern can say).
PHONE_PATTERN = r"^\+(?:91[6-9][0-9]{9}|9[02-9][0-9]{5,13}|[1-8][0-9]{6,14})$"
GSTIN_PATTERN = r"^([0-9]{2})([A-Z]{5}[0-9]{4}[A-Z])([1-9A-Z])Z([0-9A-Z])$"
UDYAM_PATTERN = rf"^UDYAM-(?:{'|'.join(sorted(UDYAM_STATE_CODES))})-[0-9]{{2}}-[0-9]{{7}}$"
IEC_PATTERN = _IEC.pattern


def normalise_gstin(raw: str) -> str:
    """A GSTIN in capitals (spaces and dashes dropped), checked by ``python-stdnum``: length,
    shape, state code, the PAN inside it, the ``Z`` and the check character. State codes
    stdnum does not list yet (``STATE_CODES_BEYOND_STDNUM``) are checked with the same
    library's parts (PAN, Luhn mod 36). Raises ValueError saying which part is wrong."""
    number = stdnum_gstin.compact(raw or "")
    try:
        if number[:2] in STATE_CODES_BEYOND_STDNUM and _GSTIN_SHAPE.match(number):
            stdnum_pan.validate(number[2:12])
            luhn.validate(number, _GSTIN_ALPHABET)
            return number
        return stdnum_gstin.validate(number)
    except (InvalidLength, InvalidFormat):
        raise ValueError("A GSTIN has 15 characters: state code, PAN, entity number, Z, check character.") from None
    except InvalidChecksum:
        raise ValueError("The GSTIN's check character does not match: check it for a typing mistake.") from None
    except InvalidComponent:
        raise ValueError(_gstin_component_problem(number)) from None
    except ValidationError:
        raise ValueError("Not a valid GSTIN.") from None


def _gstin_component_problem(number: str) -> str:
    """Which part stdnum's InvalidComponent is about, found by elimination (it does not say)."""
    if not stdnum_pan.is_valid(number[2:12]):
        return f"Characters 3 to 12 of a GSTIN are the holder's PAN, and {number[2:12]} is not a valid PAN."
    if number[12] == "0" or number[13] != "Z":
        return "The 13th character of a GSTIN (the entity number) is 1-9 or A-Z and the 14th is Z."
    return f"{number[:2]} is not a GST state code."


def gstin_check_character(first14: str) -> str:
    """The 15th character of a GSTIN whose first 14 are ``first14`` (Luhn mod 36, by stdnum)."""
    return luhn.calc_check_digit(first14, _GSTIN_ALPHABET)


def normalise_udyam(raw: str) -> str:
    """Udyam registration number in capitals, e.g. UDYAM-JK-01-0012345: its shape, and its
    state code one of ``UDYAM_STATE_CODES``. Checked by hand: no library (python-stdnum
    included) knows the format, which has no check digit. Raises ValueError saying which
    part is wrong."""
    udyam = (raw or "").strip().upper()
    if not _UDYAM.match(udyam):
        raise ValueError("A Udyam number looks like UDYAM-JK-01-0012345.")
    state = udyam.split("-")[1]
    if state not in UDYAM_STATE_CODES:
        raise ValueError(f"{state} is not the code of a state or union territory of India (ISO 3166-2:IN, e.g. JK, MH): check the Udyam number.")
    return udyam


def normalise_iec(raw: str) -> str:
    """Importer-Exporter Code: 10 letters and digits. Checked by hand: since 2020 a new IEC
    is the firm's PAN, but older IECs are 10 digits that are no PAN, and no library
    (python-stdnum included) covers the IEC."""
    iec = (raw or "").strip().upper()
    if not _IEC.match(iec):
        raise ValueError("An IEC has 10 letters and digits.")
    return iec
