from decimal import Decimal

import pytest

from shared.money import Money, group_indian, in_words


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
