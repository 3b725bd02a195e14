"""Exact money: a Decimal amount with its currency, never a float.

Amounts travel as strings (``"1050000.00"``) so no JSON parser rounds them. INR is shown
the way the trade reads it: grouped in lakhs and crores (``₹10,50,00,000``) or in words
(``Rs 10.50 crore``), the unit chosen by the amount as rounded for display (9,999,999.99
is ``Rs 1.00 crore``, never ``Rs 100.00 lakh``). Grouping is Babel's (CLDR number
patterns), so every place that shows an amount groups it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import get_global
from babel.numbers import format_decimal, get_territory_currencies, list_currencies

CURRENCIES: tuple[str, ...] = tuple(sorted(list_currencies()))
"""ISO 4217 codes CLDR knows (through Babel), those no longer in use included (DEM, HRK):
``Money`` takes no other, so an amount recorded in a currency since replaced still reads."""


def currencies_in_use(on: date) -> tuple[str, ...]:
    """ISO 4217 codes that are legal tender in some territory on ``on`` (CLDR's territory
    currencies, through Babel): no currency since replaced (DEM), no fund, metal or
    testing code (CLF, XAU, XTS)."""
    territories = get_global("territory_currencies")
    return tuple(sorted({code for territory in territories for code in get_territory_currencies(territory, on, tender=True)}))


CURRENCIES_IN_USE: tuple[str, ...] = currencies_in_use(date.today())
"""What every schema that takes a currency accepts (``currencies_in_use`` today)."""
CURRENCY_ERROR = "The ISO 4217 code of a currency in use, such as INR or EUR."
CENTS = Decimal("0.01")
LAKH = Decimal(100_000)
CRORE = Decimal(10_000_000)
INDIAN_PATTERN = "#,##,##0.00"


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str = "INR"

    def __post_init__(self):
        if self.currency not in CURRENCIES:
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency code such as INR or USD.")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise ValueError("The amount must be a finite decimal number.")
        object.__setattr__(self, "amount", self.amount.quantize(CENTS, rounding=ROUND_HALF_UP))

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str = "INR") -> "Money":
        if isinstance(amount, float):
            raise ValueError("Give money as a string or an integer, not a float.")
        try:
            value = Decimal(str(amount).replace(",", "").strip())
        except InvalidOperation:
            raise ValueError(f"{amount!r} is not an amount of money.") from None
        return cls(value, currency.upper() if isinstance(currency, str) else currency)

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"Cannot add {other.currency} to {self.currency}.")
        return Money(self.amount + other.amount, self.currency)

    def to_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}


def group_indian(amount: Decimal, locale: str = "en_IN") -> str:
    """``10500000.5`` -> ``1,05,00,000.50``: the last three digits, then pairs, rounded
    half up to paise, with ``locale``'s (a Babel locale) separators and Latin digits."""
    return format_decimal(amount.quantize(CENTS, rounding=ROUND_HALF_UP), format=INDIAN_PATTERN, locale=locale)


def indian_units(amount: Decimal) -> tuple[Decimal, str | None]:
    """``amount`` as the trade says it: ``(value, "crore")``, ``(value, "lakh")`` with the
    value rounded half up to two places, or ``(amount, None)`` under a lakh (shown exact).
    The rounded value chooses the unit: lakh only while it stays under 100.00 lakh, so
    9,999,999.99 is ``(1.00, "crore")`` and 99,999.99 stays in rupees."""
    if abs(amount) < LAKH:
        return amount, None
    lakhs = (amount / LAKH).quantize(CENTS, rounding=ROUND_HALF_UP)
    if abs(lakhs) < 100:
        return lakhs, "lakh"
    return (amount / CRORE).quantize(CENTS, rounding=ROUND_HALF_UP), "crore"


def in_words(money: Money) -> str:
    """``Rs 10.50 crore``, ``Rs 4.25 lakh``, ``Rs 12,500.00``; other currencies as ``USD 1,200.00``."""
    if money.currency != "INR":
        return f"{money.currency} {money.amount:,.2f}"
    value, unit = indian_units(money.amount)
    if unit is None:
        return f"Rs {group_indian(value)}"
    return f"Rs {value:.2f} {unit}"
