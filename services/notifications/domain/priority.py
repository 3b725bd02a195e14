"""Which due notifications go first, and how many each channel's pool takes at a time.

Time-critical kinds (a login code, a meeting about to start, a change to a confirmed
meeting) go before bulk kinds (follow-ups, digests, suggestions, thank-yous) when both are
due; within one priority the earliest due goes first. Nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

URGENT, NORMAL, BULK = 0, 1, 2
TIME_CRITICAL = frozenset({
    "verification_code", "meeting_reminder", "meeting_added", "meeting_cancelled", "meeting_changed", "schedule_published",
})
BULK_KINDS = frozenset({"follow_up_due", "organiser_digest", "organiser_results", "match_suggestions", "thank_you"})


def priority(kind: str) -> int:
    """``URGENT`` (0), ``NORMAL`` (1) or ``BULK`` (2): lower goes first."""
    if kind in TIME_CRITICAL:
        return URGENT
    if kind in BULK_KINDS:
        return BULK
    return NORMAL


@dataclass(frozen=True)
class Due:
    """A queue entry as far as choosing is concerned."""

    id: str
    channel: str
    kind: str
    due_at: datetime

    @property
    def order(self) -> tuple[int, datetime, str]:
        return priority(self.kind), self.due_at, self.id


def pick(due: Iterable[Due], free: Mapping[str, int] | None = None, limit: int | None = None) -> list[Due]:
    """The entries to claim now, most urgent first: at most ``free[channel]`` per channel
    (a channel missing from ``free`` gets none; ``free=None`` means no per-channel cap) and
    at most ``limit`` in all (``None``: no cap)."""
    left = dict(free) if free is not None else None
    chosen: list[Due] = []
    for entry in sorted(due, key=lambda d: d.order):
        if limit is not None and len(chosen) >= limit:
            break
        if left is not None:
            if left.get(entry.channel, 0) <= 0:
                continue
            left[entry.channel] -= 1
        chosen.append(entry)
    return chosen
