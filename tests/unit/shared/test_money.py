from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, strategies as st

import pytest

from shared.money import CRORE, CURRENCIES, LAKH, Money, group_indian, in_words, indian_units


def test_amounts_are_exact_decimals_kept_with_their_currency():
    total = Money.parse("0.10") + Money.parse("0.20")
    assert total == Money(Decimal("0.30"), "INR")
    assert Money.parse("1,05,00,000", "inr").to_dict() == {"amount": "10500000.00", "currency": "INR"}


@pytest.mark.parametrize("bad", [0.1, "ten", "NaN", "Infinity"])
def test_floats_and_non_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        Money.parse(bad)


def test_currencies_do_not_mix():
    with pytest.raises(ValueError, match="Cannot add"):
        Money.parse("1", "USD") + Money.parse("1", "INR")
    with pytest.raises(ValueError, match="ISO 4217"):
        Money.parse("1", "RUPEES")


@pytest.mark.parametrize("code", ["ZZZ", "ABC", "XYZ"])
def test_a_currency_code_shaped_right_but_not_in_use_is_refused(code):
    with pytest.raises(ValueError, match="ISO 4217"):
        Money.parse("1", code)
    assert Money.parse("1", "eur").currency == "EUR" and {"INR", "USD", "AED"} <= set(CURRENCIES)


@pytest.mark.parametrize(
    "amount, grouped",
    [("105000000", "10,50,00,000.00"), ("425000", "4,25,000.00"), ("999", "999.00"), ("1000", "1,000.00"), ("-12345678.5", "-1,23,45,678.50")],
)
def test_indian_grouping(amount, grouped):
    assert group_indian(Decimal(amount)) == grouped


def test_in_words_the_way_the_trade_reads_it():
    assert in_words(Money.parse("105000000")) == "Rs 10.50 crore"
    assert in_words(Money.parse("425000")) == "Rs 4.25 lakh"
    assert in_words(Money.parse("12500")) == "Rs 12,500.00"
    assert in_words(Money.parse("1200", "USD")) == "USD 1,200.00"


@pytest.mark.parametrize("amount, words", [
    ("9999999.99", "Rs 1.00 crore"), ("9999500.00", "Rs 1.00 crore"), ("9999499.99", "Rs 99.99 lakh"),
    ("10000000", "Rs 1.00 crore"), ("99999.99", "Rs 99,999.99"), ("100000", "Rs 1.00 lakh"), ("-9999999.99", "Rs -1.00 crore"),
])
def test_the_rounded_amount_chooses_the_unit(amount, words):
    assert in_words(Money.parse(amount)) == words


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_units_across_every_boundary(amount):
    value, unit = indian_units(amount)
    if unit is None:
        assert amount < LAKH and value == amount
        return
    size = {"lakh": LAKH, "crore": CRORE}[unit]
    assert abs(value * size - amount) <= size * Decimal("0.005")
    assert value >= 1
    if unit == "lakh":
        assert value < 100
    else:
        assert (amount / LAKH).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) >= 100


@given(st.integers(min_value=0, max_value=10**12).map(lambda n: Decimal(n) / 100))
def test_grouping_is_three_then_pairs(amount):
    whole = group_indian(amount).split(".")[0].split(",")
    assert len(whole[-1]) <= 3 and all(len(g) == 2 for g in whole[1:-1]) and 1 <= len(whole[0]) <= (3 if len(whole) == 1 else 2)
    assert Decimal(group_indian(amount).replace(",", "")) == amount


def test_the_currencies_accepted_are_those_in_use_and_money_still_reads_replaced_ones():
    from datetime import date

    from shared.money import CURRENCIES_IN_USE, currencies_in_use

    assert {"INR", "EUR", "USD", "AED", "JPY"} <= set(CURRENCIES_IN_USE)
    assert not {"DEM", "FRF", "XAU", "XTS", "XXX", "CLF"} & set(CURRENCIES_IN_USE)
    assert "HRK" in currencies_in_use(date(2020, 1, 1)) and "HRK" not in currencies_in_use(date(2024, 1, 1)), "Croatia took the euro in 2023"
    assert Money.parse("1000", "DEM").currency == "DEM", "an LoI recorded in a currency since replaced still reads"
