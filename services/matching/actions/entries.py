"""An organiser's entries for a whole meet at once: wishes, outcomes and Letters of Intent,
one item at a time (``api/bulk.py`` makes the per-item report). Meetings are named by id,
or by seller and buyer: a pair meets once per meet."""
from __future__ import annotations

from typing import Any


from services.matching.actions.context import Matching, NotFound, ensure_meet_running, meet_of
from services.matching.actions.matches import set_preference
from services.matching.actions.outcomes import meeting, record_outcome, sign_loi


class MeetingsOfMeet:
    """The meet's live meetings by pair, read once for a whole bulk call."""

    def __init__(self, ctx: Matching, meet_id: str):
        meet_of(ctx, meet_id)
        self.ctx, self.meet_id = ctx, meet_id
        self.by_pair = {(p["seller_id"], p["buyer_id"]): p["meeting_id"] for p in ctx.meetings.placements(meet_id)}

    def find(self, ref: dict[str, Any]) -> dict[str, Any]:
        """The meeting ``ref`` names (``meeting_id``, or ``seller_id`` and ``buyer_id``), of
        this meet. Raises NotFound."""
        meeting_id = ref.get("meeting_id") or self.by_pair.get((ref.get("seller_id"), ref.get("buyer_id")))
        if meeting_id is None:
            raise NotFound(f"{ref['seller_id']} and {ref['buyer_id']} have no meeting at this meet.")
        found = meeting(self.ctx, meeting_id)
        if found["meet_id"] != self.meet_id:
            raise NotFound(f"No meeting {meeting_id} at this meet.")
        return found


def put_preference(ctx: Matching, meet_id: str, item: dict[str, Any]) -> bool:
    """One wish; False when it was already so. Raises NotFound, Refused."""
    ensure_meet_running(ctx, meet_id)
    said = {(p["participant_id"], p["counterpart_id"]): p["preference"] for p in ctx.preferences.for_meet(meet_id)}
    if said.get((item["participant_id"], item["counterpart_id"])) == item["preference"]:
        return False
    set_preference(ctx, meet_id, item["participant_id"], item["counterpart_id"], item["preference"])
    return True


def put_outcome(meetings: MeetingsOfMeet, item: dict[str, Any]) -> tuple[str, bool]:
    """One meeting's outcome: its id, and False when it already had it
    (``outcomes.record_outcome``). Raises NotFound, Refused."""
    current = meetings.find(item)
    record_outcome(meetings.ctx, current["_id"], item["outcome"])
    return current["_id"], current.get("outcome") != item["outcome"]


def put_loi(meetings: MeetingsOfMeet, item: dict[str, Any]) -> tuple[str, bool]:
    """One signed LoI on the pair's meeting: its id, and False when the meeting already has
    this very LoI (a retried item is not signed, nor announced, twice); other terms correct
    the meeting's LoI (``outcomes.sign_loi``). Raises NotFound, Refused."""
    current = meetings.find(item)
    details = {k: v for k, v in item.items() if k not in ("meeting_id", "seller_id", "buyer_id")}
    return current["_id"], sign_loi(meetings.ctx, current["_id"], details)[1] is not None
