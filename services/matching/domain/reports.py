"""Results of one meet or of many: meetings, Letters of Intent and their value, in total
and broken down the ways organisers report them (meet, seller district, product, buyer,
buyer country), every breakdown adding up to the total.

Each meeting is counted once in the total and once in every breakdown, in exactly one of
``held``, ``no_show``, ``cancelled`` and ``not_recorded`` (no outcome was recorded:
still to come, or a meeting published after the meet ended that nobody settled; held and
no-show are only what someone recorded). ``meetings`` is their sum. A meeting without an
LoI falls under ``NO_LOI`` in the product breakdown, so that breakdown adds up too.
``orders.over_follow_ups`` is the LoI-to-order conversion by follow-up (``conversion``).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

from shared.money import Money, group_indian, in_words

from services.matching.domain.conversion import conversion

BREAKDOWNS = ("meet", "seller_district", "product", "buyer", "buyer_country")
OUTCOMES = ("held", "no_show", "cancelled", "not_recorded")
NO_LOI = "(no LoI)"
UNKNOWN = "unknown"
CSV_HEADER = ["breakdown", "key", "name", "meetings", *OUTCOMES, "lois", "value_inr", "value_words"]


class _Tally:
    """Meetings by outcome, LoIs and their value (INR) of one group."""

    def __init__(self) -> None:
        self.meetings = dict.fromkeys(OUTCOMES, 0)
        self.lois = 0
        self.value = Decimal(0)

    def add(self, outcome: str, loi_value: Decimal | None) -> None:
        self.meetings[outcome] += 1
        if loi_value is not None:
            self.lois += 1
            self.value += loi_value

    def as_row(self) -> dict[str, Any]:
        value = Money(self.value)
        return {"meetings": {"total": sum(self.meetings.values()), **self.meetings}, "lois": self.lois, "value_inr": str(value.amount),
                "value_words": in_words(value)}


def outcome_of(meeting: Mapping[str, Any]) -> str:
    """The one bucket a meeting is counted in (see the module docstring)."""
    if meeting.get("status") == "cancelled":
        return "cancelled"
    outcome = meeting.get("outcome")
    if outcome == "held" or meeting.get("loi"):
        return "held"
    return "no_show" if outcome else "not_recorded"


def _keys(meeting: Mapping[str, Any]) -> dict[str, str]:
    loi = meeting.get("loi")
    return {
        "meet": meeting.get("meet_id") or UNKNOWN,
        "seller_district": meeting.get("seller_district") or UNKNOWN,
        "product": loi["product"] if loi else NO_LOI,
        "buyer": meeting.get("buyer_name") or meeting["buyer_id"],
        "buyer_country": meeting.get("buyer_country") or UNKNOWN,
    }


def meet_report(meetings: Iterable[dict[str, Any]], meet_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report of ``meetings`` (meeting documents with their seller/buyer facts and
    LoI; one meet's or every meet's). ``meet_names``: meet id -> name, shown beside the
    per-meet rows. Values are INR (``value_inr`` strings with two decimals)."""
    names = dict(meet_names or {})
    meetings = list(meetings)
    total = _Tally()
    by: dict[str, dict[str, _Tally]] = {name: {} for name in BREAKDOWNS}
    orders, orders_total = 0, Decimal(0)
    for meeting in meetings:
        loi = meeting.get("loi")
        outcome, value = outcome_of(meeting), Decimal(loi["value_inr"]) if loi else None
        total.add(outcome, value)
        for name, key in _keys(meeting).items():
            by[name].setdefault(key, _Tally()).add(outcome, value)
        if loi and loi.get("order"):
            orders += 1
            orders_total += Decimal(loi["order"]["value_inr"])
    summary, money = total.as_row(), Money(total.value)
    breakdowns = {
        name: sorted(({"key": key, **({"name": names.get(key, key)} if name == "meet" else {}), **tally.as_row()} for key, tally in groups.items()),
                     key=lambda row: (-Decimal(row["value_inr"]), -row["meetings"]["total"], row["key"]))
        for name, groups in by.items()
    }
    return {
        "meetings": {"scheduled": summary["meetings"]["total"], **{k: v for k, v in summary["meetings"].items() if k != "total"}},
        "lois": {"count": total.lois, "value_inr": summary["value_inr"], "value_grouped": f"₹{group_indian(money.amount)}", "value_words": in_words(money)},
        "orders": {"count": orders, "value_inr": str(Money(orders_total).amount), "value_words": in_words(Money(orders_total)),
                   "conversion": round(orders / total.lois, 3) if total.lois else 0.0, "over_follow_ups": conversion(meetings)},
        "summary": f"{total.lois} {'LoI' if total.lois == 1 else 'LoIs'} worth {in_words(money)}",
        "by": breakdowns,
    }


def report_csv_rows(report: dict[str, Any]) -> list[list[str]]:
    """The report as CSV rows (``CSV_HEADER`` first): one row per group of every
    breakdown, then the total, each with its meeting counts, LoIs and value."""
    def cells(breakdown: str, key: str, name: str, meetings: Mapping[str, int], lois: int, value_inr: str, words: str) -> list[str]:
        return [breakdown, key, name, str(sum(meetings[o] for o in OUTCOMES)), *(str(meetings[o]) for o in OUTCOMES), str(lois), value_inr, words]

    rows = [CSV_HEADER]
    for breakdown, groups in report["by"].items():
        rows.extend(cells(breakdown, g["key"], g.get("name", ""), g["meetings"], g["lois"], g["value_inr"], g["value_words"]) for g in groups)
    lois = report["lois"]
    rows.append(cells("total", "", "", report["meetings"], lois["count"], lois["value_inr"], lois["value_words"]))
    return rows
