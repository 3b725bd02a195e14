"""Results of a meet: meetings held, Letters of Intent and their value, broken down the
ways organisers report them (seller district, product, buyer, buyer country)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from shared.money import Money, group_indian, in_words

BREAKDOWNS = ("seller_district", "product", "buyer", "buyer_country")


def meet_report(meetings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``meetings``: the meet's meeting documents, each with its seller/buyer facts and LoI."""
    counts = defaultdict(int)
    total = orders_total = Decimal(0)
    by: dict[str, dict[str, list]] = {name: defaultdict(lambda: [0, Decimal(0)]) for name in BREAKDOWNS}
    for meeting in meetings:
        counts["scheduled"] += 1
        outcome = meeting.get("outcome")
        if outcome == "held":
            counts["held"] += 1
        elif outcome:
            counts["no_show"] += 1
        loi = meeting.get("loi")
        if not loi:
            continue
        counts["lois"] += 1
        if loi.get("order"):
            counts["orders"] += 1
            orders_total += Decimal(loi["order"]["value_inr"])
        value = Decimal(loi["value_inr"])
        total += value
        keys = {
            "seller_district": meeting.get("seller_district") or "unknown",
            "product": loi["product"],
            "buyer": meeting.get("buyer_name") or meeting["buyer_id"],
            "buyer_country": meeting.get("buyer_country") or "unknown",
        }
        for name, key in keys.items():
            by[name][key][0] += 1
            by[name][key][1] += value
    total_money = Money(total)
    return {
        "meetings": {"scheduled": counts["scheduled"], "held": counts["held"], "no_show": counts["no_show"]},
        "lois": {"count": counts["lois"], "value_inr": str(total_money.amount), "value_grouped": f"₹{group_indian(total_money.amount)}", "value_words": in_words(total_money)},
        "orders": {"count": counts["orders"], "value_inr": str(Money(orders_total).amount), "value_words": in_words(Money(orders_total)),
                   "conversion": round(counts["orders"] / counts["lois"], 3) if counts["lois"] else 0.0},
        "summary": f"{counts['lois']} LoIs worth {in_words(total_money)}",
        "by": {
            name: sorted(
                ({"key": key, "lois": n, "value_inr": str(Money(v).amount), "value_words": in_words(Money(v))} for key, (n, v) in groups.items()),
                key=lambda row: (-Decimal(row["value_inr"]), row["key"]),
            )
            for name, groups in by.items()
        },
    }


def report_csv_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = [["breakdown", "key", "lois", "value_inr", "value_words"]]
    for name, groups in report["by"].items():
        rows.extend([name, g["key"], str(g["lois"]), g["value_inr"], g["value_words"]] for g in groups)
    rows.append(["total", "", str(report["lois"]["count"]), report["lois"]["value_inr"], report["lois"]["value_words"]])
    return rows
