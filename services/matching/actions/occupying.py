"""A meeting's places (its two people, its table and its interpreter in its slot): taken in
the database before the meeting is written, given back when it is cancelled or its write
fails, so that no two meetings ever share one, whatever runs at the same time."""
from __future__ import annotations

from typing import Any

from services.matching import messages
from services.matching.actions.context import Matching, Refused
from services.matching.domain.places import meeting_places
from services.matching.occupancy import Taken


def claim_fields(meeting: dict[str, Any], draft_id: str | None = None) -> dict[str, Any]:
    """What a claim of ``meeting`` records beside its holder: where it is, and the draft
    whose publication claimed it (its claims stay live while that publication runs)."""
    fields = {"meet_id": meeting["meet_id"], "slot_id": meeting["slot_id"]}
    return {**fields, "draft_id": draft_id} if draft_id else fields


def occupy(ctx: Matching, meeting: dict[str, Any]) -> list[str]:
    """Take the places of a meeting document about to be written; returns the keys this
    call took (to give back if the write fails). Raises Refused naming what is taken."""
    try:
        return ctx.occupancy.claim(meeting["_id"], meeting_places(meeting["meet_id"], meeting), **claim_fields(meeting))
    except Taken as exc:
        raise Refused(f"That place is taken: {exc}.") from None


def vacate(ctx: Matching, meeting: dict[str, Any], keys: list[str] | None = None) -> None:
    """Give back a meeting's places (``keys`` only, if given)."""
    ctx.occupancy.release(meeting["_id"], meeting_places(meeting["meet_id"], meeting) if keys is None else keys)


def add_meeting(ctx: Matching, meeting: dict[str, Any], events: list) -> bool:
    """Take the meeting's places, then write it with its events; False (its places given
    back) if the pair already has a meeting. Raises Refused if a place is taken."""
    took = occupy(ctx, meeting)
    if ctx.meetings.publish(meeting, events):
        return True
    vacate(ctx, meeting, took)
    return False


def cancel_meeting(ctx: Matching, meeting: dict[str, Any], reason: str, **noted: Any) -> dict[str, Any]:
    """Cancel a scheduled meeting document for ``reason`` (``noted``: more fields to set),
    with its event, unless its version moved on meanwhile; then, if it is cancelled, list it
    as cancelled on its meet and give back its places (also for one a stopped attempt
    cancelled). Returns the meeting as it now is."""
    if meeting["status"] == "scheduled":
        fields = {"status": "cancelled", "cancel_reason": reason, **noted}
        cancelled = {**meeting, **fields, "version": meeting["version"] + 1}
        if ctx.meetings.update(meeting["_id"], meeting["version"], fields, [messages.meeting_event(messages.MEETING_CANCELLED, cancelled)]):
            meeting = cancelled
    if meeting["status"] == "cancelled":
        ctx.meetings.mark_cancelled(meeting["meet_id"], meeting["_id"])
        vacate(ctx, meeting)
    return meeting
