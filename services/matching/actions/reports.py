"""Organiser reports: meetings, LoIs and their value (queries over the results, not hot paths)."""
from __future__ import annotations

from typing import Any

from services.matching.actions.context import Matching, meet_of
from services.matching.domain.reports import meet_report


def report(ctx: Matching, meet_id: str) -> dict[str, Any]:
    """A meet's results. Raises NotFound."""
    meet = meet_of(ctx, meet_id)
    return meet_report(ctx.meetings.report_rows(meet_id), {meet_id: meet.get("name") or meet_id})


def report_all(ctx: Matching) -> dict[str, Any]:
    """Results across every meet, with a row per meet (named as matching knows it)."""
    meetings = ctx.meetings.all()
    names = {}
    for meet_id in sorted({m["meet_id"] for m in meetings}):
        meet = ctx.meets.meet(meet_id) or {}
        names[meet_id] = meet.get("name") or meet_id
    return meet_report(meetings, names)
