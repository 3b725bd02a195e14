"""Organiser reports: meetings, LoIs and their value (queries over the results, not hot paths)."""
from __future__ import annotations

from typing import Any

from services.matching.actions.context import Matching, meet_of
from services.matching.domain.reports import meet_report


def report(ctx: Matching, meet_id: str) -> dict[str, Any]:
    """A meet's results. Raises NotFound."""
    meet_of(ctx, meet_id)
    return meet_report(ctx.meetings.report_rows(meet_id))


def report_all(ctx: Matching) -> dict[str, Any]:
    """Results across every meet."""
    return meet_report(ctx.meetings.all())
