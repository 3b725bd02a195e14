"""Exact money: a Decimal amount with its currency, never a float.

Amounts travel as strings (``"1050000.00"``) so no JSON parser rounds them. INR is shown
the way the trade reads it: grouped in lakhs and crores (``₹10,50,00,000``) or in words
(``Rs 10.50 crore``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_CURRENCY = re.compile(r"^[A-Z]{3}$")
CENTS = Decimal("0.01")
LAKH = Decimal(100_000)
CRORE = Decimal(10_000_000)


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str = "INR"

    def __post_init__(self):
        if not _CURRENCY.match(self.currency or ""):
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


def group_indian(amount: Decimal) -> str:
    """``10500000.5`` -> ``1,05,00,000.50``: the last three digits, then pairs."""
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount.quantize(CENTS)):.2f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    grouped = ",".join(([head] if head else []) + pairs + [tail])
    return f"{sign}{grouped}.{fraction}"


def in_words(money: Money) -> str:
    """``Rs 10.50 crore``, ``Rs 4.25 lakh``, ``Rs 12,500.00``; other currencies as ``USD 1,200.00``."""
    if money.currency != "INR":
        return f"{money.currency} {money.amount:,.2f}"
    amount = money.amount
    if abs(amount) >= CRORE:
        return f"Rs {amount / CRORE:.2f} crore"
    if abs(amount) >= LAKH:
        return f"Rs {amount / LAKH:.2f} lakh"
    return f"Rs {group_indian(amount)}"
