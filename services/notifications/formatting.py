"""Numbers, amounts, dates and times in a message, formatted for its language by Babel.

Numbers and amounts use Indian grouping (``1,05,00,000``) in every language, with the
locale's own separators and Latin digits; dates and times use the locale's CLDR patterns.
Values arrive as the events carry them (ISO dates ``2026-07-30``, times ``10:30``, amounts
as decimal strings); one that cannot be read is shown as it came.
"""
from __future__ import annotations

from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from shared.money import group_indian, indian_units


def N_(message: str) -> str:
    """Marks ``message`` for extraction into the catalogue; translated where it is shown."""
    return message


ROLES = {"seller": N_("seller"), "buyer": N_("buyer")}
TALLIES = {
    f"{role}s_{status}": label
    for (role, status), label in {
        ("seller", "applied"): N_("sellers applied"), ("seller", "approved"): N_("sellers approved"),
        ("seller", "rejected"): N_("sellers rejected"), ("seller", "waitlisted"): N_("sellers waitlisted"),
        ("seller", "withdrawn"): N_("sellers withdrawn"), ("buyer", "applied"): N_("buyers applied"),
        ("buyer", "approved"): N_("buyers approved"), ("buyer", "rejected"): N_("buyers rejected"),
        ("buyer", "waitlisted"): N_("buyers waitlisted"), ("buyer", "withdrawn"): N_("buyers withdrawn"),
    }.items()
}
UNITS = {"crore": N_("Rs %(amount)s crore"), "lakh": N_("Rs %(amount)s lakh")}
INDIAN_INTEGER = "#,##,##0"


def filters(locale: Locale, gettext: Callable[[str], str]) -> dict[str, Callable[[Any], str]]:
    """The Jinja filters of one language: ``number``, ``rupees``, ``date`` (with the year),
    ``day`` (day and month, for meetings), ``clock`` (24-hour), ``role`` and ``tally_label``."""

    def number(value: Any) -> str:
        try:
            return format_decimal(Decimal(str(value)), format=INDIAN_INTEGER, locale=locale)
        except (InvalidOperation, ValueError):
            return str(value)

    def rupees(value: Any) -> str:
        """A decimal string of INR as the trade reads it: ``Rs 10.50 crore`` in words of
        the language, or ``₹12,500.00`` under a lakh."""
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        shown, unit = indian_units(amount)
        if unit is None:
            return f"₹{group_indian(shown, locale=str(locale))}"
        return gettext(UNITS[unit]) % {"amount": format_decimal(shown, format="0.00", locale=locale)}

    def full_date(value: Any) -> str:
        try:
            return format_date(date.fromisoformat(str(value)), "medium", locale=locale)
        except ValueError:
            return str(value)

    def day(value: Any) -> str:
        try:
            return format_skeleton("MMMd", date.fromisoformat(str(value)), locale=locale)
        except ValueError:
            return str(value)

    def clock(value: Any) -> str:
        try:
            return format_skeleton("Hm", time.fromisoformat(str(value)), locale=locale)
        except ValueError:
            return str(value)

    def role(value: Any) -> str:
        return gettext(ROLES[value]) if value in ROLES else str(value)

    def tally_label(value: Any) -> str:
        return gettext(TALLIES[value]) if value in TALLIES else str(value).replace("_", " ")

    return {"number": number, "rupees": rupees, "date": full_date, "day": day, "clock": clock, "role": role, "tally_label": tally_label}
