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
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "+91 5876543210", "+91987654321", "phone", "", "+9198765432100"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_jammu_and_kashmir_has_its_twenty_districts():
    assert len(DISTRICTS[JAMMU_AND_KASHMIR]) == 20
    assert canonical_district(JAMMU_AND_KASHMIR, " budgam ") == "Budgam"
    assert canonical_district(JAMMU_AND_KASHMIR, "Leh") is None
