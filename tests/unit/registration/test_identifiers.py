import re

import pytest

from services.registration.domain.identifiers import normalise_phone
from services.registration.domain.reference import DISTRICTS, JAMMU_AND_KASHMIR, canonical_district


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("9876543210", "+919876543210"),
        ("09876543210", "+919876543210"),
        ("+91 98765-43210", "+919876543210"),
        ("0091 9876543210", "+919876543210"),
        ("+44 20 7946 0958", "+442079460958"),
        ("919876512346", "+919876512346"),
        ("09876512346", "+919876512346"),
        ("+91 98765 12346", "+919876512346"),
        ("919876512346.0", "+919876512346"),
        ("+1 202 555 0100", "+12025550100"),
        ("+971 50 123 4567", "+971501234567"),
        ("00 49 151 12345678", "+4915112345678"),
    ],
)
def test_phone_numbers_as_people_and_spreadsheets_write_them_are_stored_in_e164(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw, region, expected", [
    ("07911 123456", "GB", "+447911123456"),  # read in India this is the Indian mobile +917911123456
    ("(917) 555-0123", "US", "+19175550123"),  # and this +919175550123
    ("0151 23456789", "DE", "+4915123456789"),
    ("+91 98765 12346", "DE", "+919876512346"),  # a number with its country code keeps it
    ("9876512346", "IN", "+919876512346"),
])
def test_a_number_without_its_country_code_is_read_in_the_country_of_whoever_gave_it(raw, region, expected):
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["12345", "+91 5876543210", "+91987654321", "phone", "", "+9198765432100"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_jammu_and_kashmir_has_its_twenty_districts():
    assert len(DISTRICTS[JAMMU_AND_KASHMIR]) == 20
    assert canonical_district(JAMMU_AND_KASHMIR, " budgam ") == "Budgam"
    assert canonical_district(JAMMU_AND_KASHMIR, "Leh") is None


@pytest.mark.parametrize(
    "raw, words",
    [
        ("abc", "not a phone number"),
        ("+999 1234567", "country code"),
        ("0044", "after the international prefix"),
        ("+44 20", "Too few digits for a phone number of +44"),
        ("+4420794609589999", "Too many digits for a phone number of +44"),
        ("+91 5876543210", "not an Indian mobile"),
        ("9.19877E+11", "format the phone column as text"),
    ],
)
def test_each_kind_of_bad_phone_number_is_told_what_is_wrong(raw, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        normalise_phone(raw)
