"""How Letters of Intent became orders over their follow-ups (30, 60 and 90 days after
signing, ``follow_ups.FOLLOW_UP_DAYS``): for each, how many LoIs had an order placed by
then, counted from the day the order was first reported (the LoI's ``history``); and where
every LoI stands now (its latest follow-up status, ``no_answer`` when none came yet)."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

from services.matching.domain.follow_ups import FOLLOW_UP_DAYS

STATUSES = ("in_negotiation", "order_placed", "lapsed", "no_answer")
ORDER_PLACED = "order_placed"


def order_day(loi: Mapping[str, Any]) -> int | None:
    """Days from signing to the first ``order_placed`` follow-up, or None (no order)."""
    placed = [entry["on"] for entry in loi.get("history", []) if entry.get("status") == ORDER_PLACED]
    if not placed:
        return None
    return (date.fromisoformat(min(placed)) - date.fromisoformat(loi["signed_on"])).days


def conversion(meetings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"lois", "by_follow_up": [{"days", "orders", "share"}...], "status": {status: n}}``
    over the LoIs of ``meetings`` (``share`` of LoIs with an order by that day, 3 decimals;
    an order reported after the last follow-up counts in none of them but in ``status``)."""
    lois = [m["loi"] for m in meetings if m.get("loi")]
    days = [order_day(loi) for loi in lois]
    status = dict.fromkeys(STATUSES, 0)
    for loi in lois:
        status[loi.get("status") if loi.get("status") in STATUSES else "no_answer"] += 1
    by_follow_up = []
    for limit in FOLLOW_UP_DAYS:
        orders = sum(1 for d in days if d is not None and d <= limit)
        by_follow_up.append({"days": limit, "orders": orders, "share": round(orders / len(lois), 3) if lois else 0.0})
    return {"lois": len(lois), "by_follow_up": by_follow_up, "status": status}
