"""When a Letter of Intent's follow-ups are due, and which one to announce: never a burst.

An LoI is followed up 30, 60 and 90 days after signing (``FOLLOW_UP_DAYS``). Each
follow-up is an entry ``{"due": ISO date, "days": days after signing, "status": ...}``
with status ``due`` (to announce), ``reminded`` (announced), ``done`` (answered),
``past_when_recorded`` (already past when the LoI was recorded), or ``collapsed``
(folded into a later or a current request: nobody is asked twice within
``MIN_GAP_DAYS``).

The rule, in both places a burst could come from:

- ``plan``: an LoI recorded after the fact (a meet's LoIs entered weeks later) has its
  past follow-ups replaced by one status request due the day it is recorded, with the
  days actually elapsed since signing; a follow-up due within ``MIN_GAP_DAYS`` of that
  request is folded into it too.
- ``take_due``: of the follow-ups that have come due by a given day (the worker was
  away, or ran late), only the latest is announced; the earlier ones are ``collapsed``.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

FOLLOW_UP_DAYS = (30, 60, 90)
MIN_GAP_DAYS = 14


def plan(signed_on: date, recorded_on: date) -> list[dict[str, Any]]:
    """The follow-up entries of an LoI signed on ``signed_on`` and recorded on
    ``recorded_on``: the 30/60/90-day ones, in due order, and, when any of them is
    already past, one status request due on ``recorded_on`` listed first."""
    entries = [{"due": (signed_on + timedelta(days=d)).isoformat(), "days": d, "status": "due"} for d in FOLLOW_UP_DAYS]
    today = recorded_on.isoformat()
    if not any(e["due"] < today for e in entries):
        return entries
    quiet_until = (recorded_on + timedelta(days=MIN_GAP_DAYS)).isoformat()
    request = {"due": today, "days": (recorded_on - signed_on).days, "status": "due", "kind": "status_request"}
    folded = [{**e, "status": "past_when_recorded" if e["due"] < today else "collapsed"} if e["due"] < quiet_until else e for e in entries]
    return [request, *folded]


def take_due(entries: list[dict[str, Any]], today: date) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(the entries with what has come due by ``today`` marked, the one entry to announce
    or None). The latest entry due by ``today`` becomes ``reminded`` and is returned; any
    earlier one still ``due`` becomes ``collapsed``."""
    cutoff = today.isoformat()
    came_due = [i for i, e in enumerate(entries) if e["status"] == "due" and e["due"] <= cutoff]
    if not came_due:
        return list(entries), None
    latest = max(came_due, key=lambda i: entries[i]["due"])
    marked = [{**e, "status": "reminded" if i == latest else "collapsed"} if i in came_due else e for i, e in enumerate(entries)]
    return marked, marked[latest]


def next_due(entries: list[dict[str, Any]]) -> str | None:
    """The earliest date still to announce, or None when nothing is left."""
    return min((e["due"] for e in entries if e["status"] == "due"), default=None)


def with_days(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries stored before each carried its ``days`` (the three milestones, in order),
    given them; entries that have it are returned unchanged."""
    return [e if "days" in e else {**e, "days": d} for e, d in zip(entries, FOLLOW_UP_DAYS)] if any("days" not in e for e in entries) else list(entries)


LOI_TERMS = ("product", "quantity", "value", "value_inr", "delivery_terms", "signed_on")


def recorded_loi(stored: dict[str, Any] | None, terms: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The LoI to store when ``terms`` (``LOI_TERMS``: product, quantity, value, value_inr,
    delivery_terms, signed_on as an ISO date) are recorded on a meeting holding ``stored``
    (or None); None when ``stored`` has these very terms (nothing to write).

    A new LoI is ``signed`` with its follow-ups planned (``plan``). Different terms on a
    meeting that has an LoI are a correction of it, not a new one: its status, order and
    history stay, the history gains ``{"on", "status": "corrected", "note": <fields>}``,
    and its follow-ups are planned again from the corrected date only while none has
    been announced or answered (once one has, the conversation goes on as it is)."""
    if stored is None:
        return {**terms, "follow_up": plan(date.fromisoformat(terms["signed_on"]), today), "status": "signed"}
    changed = [k for k in LOI_TERMS if stored.get(k) != terms[k]]
    if not changed:
        return None
    loi = {**stored, **terms, "history": [*stored.get("history", []), {"on": today.isoformat(), "status": "corrected", "note": ", ".join(changed)}]}
    untouched = all(e["status"] not in ("reminded", "done") for e in stored.get("follow_up", []))
    if "signed_on" in changed and untouched:
        loi["follow_up"] = plan(date.fromisoformat(terms["signed_on"]), today)
    return loi
