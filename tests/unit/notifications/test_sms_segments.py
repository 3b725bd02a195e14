"""SMS segment arithmetic (3GPP TS 23.038/23.040) at and across every boundary."""
from hypothesis import given, strategies as st

from services.notifications.domain.sms import GSM7, UCS2, sms_segments


def test_gsm7_single_segment_holds_160_septets():
    assert sms_segments("a" * 160) == sms_segments("a" * 160).__class__(GSM7, 160, 1)
    assert sms_segments("a" * 161).count == 2


def test_gsm7_concatenated_parts_hold_153():
    assert sms_segments("a" * 306).count == 2
    assert sms_segments("a" * 307).count == 3


def test_extension_characters_take_two_septets():
    assert sms_segments("€" * 80) == sms_segments("€" * 80).__class__(GSM7, 160, 1)
    assert sms_segments("€" * 80 + "a").count == 2


def test_an_escape_pair_is_never_split_between_segments():
    # 152 plain septets then a two-septet character: it cannot straddle the 153 boundary
    assert sms_segments("a" * 152 + "{" + "a" * 152).count == 3
    assert sms_segments("a" * 151 + "{" + "a" * 153).count == 2


def test_one_character_outside_the_alphabet_makes_all_of_it_ucs2():
    assert sms_segments("a" * 69 + "ç").encoding == UCS2
    assert sms_segments("a" * 70 + "`").count == 2


def test_ucs2_boundaries_70_and_67():
    assert sms_segments("क" * 70) == sms_segments("क" * 70).__class__(UCS2, 70, 1)
    assert sms_segments("क" * 71).count == 2
    assert sms_segments("ک" * 134).count == 2
    assert sms_segments("ک" * 135).count == 3


def test_a_surrogate_pair_counts_two_units_and_is_not_split():
    assert sms_segments("😀" * 35).units == 70 and sms_segments("😀" * 35).count == 1
    assert sms_segments("a" * 66 + "😀" + "a" * 66).count == 3


def test_the_verification_code_sms_of_todays_main_took_two_segments():
    hindi = "BSM: आपका सत्यापन कोड 123456 है। यह 15 मिनट तक मान्य है। इसे किसी से साझा न करें।"
    assert sms_segments(hindi).count == 2


@given(st.text(alphabet="ab{€", max_size=600))
def test_gsm7_count_matches_a_greedy_split(text):
    septets = [2 if c in "{€" else 1 for c in text]
    result = sms_segments(text)
    assert result.units == sum(septets)
    assert result.count == (1 if sum(septets) <= 160 else _greedy(septets, 153))


@given(st.text(alphabet="aक😀", max_size=300))
def test_ucs2_count_matches_a_greedy_split(text):
    units = [2 if c == "😀" else 1 for c in text]
    result = sms_segments(text)
    if "क" in text or "😀" in text:
        assert result.encoding == UCS2 and result.units == sum(units)
        assert result.count == (1 if sum(units) <= 70 else _greedy(units, 67))


def _greedy(sizes, part):
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count
