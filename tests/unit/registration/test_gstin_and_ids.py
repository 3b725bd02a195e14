import pytest

from services.registration.domain.identifiers import gstin_check_character, normalise_gstin, normalise_iec, normalise_udyam


@pytest.mark.parametrize("gstin", ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "01AAACJ1234A1Z8"[:14] + gstin_check_character("01AAACJ1234A1Z8"[:14])])
def test_valid_gstins_pass_with_their_check_character(gstin):
    assert normalise_gstin(gstin.lower()) == gstin


def test_a_single_typo_is_caught_by_the_check_character():
    good = "27AAPFU0939F1ZV"
    for position in range(14):
        typo = good[:position] + ("1" if good[position] != "1" else "2") + good[position + 1:]
        with pytest.raises(ValueError):
            normalise_gstin(typo)


@pytest.mark.parametrize("bad, words", [("27AAPFU0939F1Z", "15 characters"), ("99AAPFU0939F1ZV", "state code"), ("27AAPFU0939F1ZA", "check character")])
def test_bad_gstins_say_what_is_wrong(bad, words):
    with pytest.raises(ValueError, match=words):
        normalise_gstin(bad)


def test_gstins_are_compacted_and_checked_part_by_part_by_stdnum():
    assert normalise_gstin("27-aapfu 0939f1zv") == "27AAPFU0939F1ZV"
    ladakh = "38AAPFU0939F1Z" + gstin_check_character("38AAPFU0939F1Z")
    assert normalise_gstin(ladakh) == ladakh
    not_a_pan = "27AAPXU0939F1Z" + gstin_check_character("27AAPXU0939F1Z")
    with pytest.raises(ValueError, match="not a valid PAN"):
        normalise_gstin(not_a_pan)
    entity_zero = "27AAPFU0939F0Z" + gstin_check_character("27AAPFU0939F0Z")
    with pytest.raises(ValueError, match="entity number"):
        normalise_gstin(entity_zero)


def test_udyam_and_iec_formats():
    assert normalise_udyam(" udyam-jk-01-0012345 ") == "UDYAM-JK-01-0012345"
    assert normalise_iec("aapfu0939f") == "AAPFU0939F"
    for bad in ("UDYAM-JK-1-0012345", "MSME-JK-01-0012345"):
        with pytest.raises(ValueError):
            normalise_udyam(bad)
    with pytest.raises(ValueError):
        normalise_iec("AAPFU0939")
