"""On the day: check-ins and meetings agreed there."""
from __future__ import annotations

from typing import Any

from services.matching import messages
from services.matching.actions.context import Matching, NotFound, Refused, meet_of
from services.matching.actions.occupying import add_meeting
from services.matching.actions.publishing import meeting_doc
from services.matching.domain.publication import free_place, started_slots


def check_in(ctx: Matching, meet_id: str, participant_id: str) -> dict[str, Any]:
    """Mark a participant present. Raises NotFound."""
    meet_of(ctx, meet_id)
    if not ctx.meets.participation(meet_id, participant_id):
        raise NotFound(f"{participant_id} does not take part in this meet.")
    ctx.meets.check_in(meet_id, participant_id)
    return {"meet_id": meet_id, "participant_id": participant_id, "checked_in": True}


def walk_in(ctx: Matching, meet_id: str, seller_id: str, buyer_id: str, slot_id: str | None) -> dict[str, Any]:
    """A meeting agreed on the day, in a slot still to come where both sides and a table are
    free (its places taken in the database first: of two walk-ins at once for one place,
    one is refused). Raises NotFound, Refused."""
    meet = meet_of(ctx, meet_id)
    slot_ids = [s["id"] for s in meet["slots"]]
    if slot_id is not None and slot_id not in slot_ids:
        raise Refused(f"{slot_id} is not a slot of this meet.")
    begun = started_slots(meet["slots"], meet["timezone"], ctx.clock())
    if slot_id in begun:
        raise Refused(f"{slot_id} has already begun: choose a later slot, or leave it out for the first free one.")
    place = free_place(ctx.meetings.placements(meet_id), slot_ids, meet["tables"], seller_id, buyer_id, slot_id, begun)
    if place is None:
        raise Refused("No slot still to come has both of them and a table free.")
    profiles = ctx.profiles.many([seller_id, buyer_id])
    if {seller_id, buyer_id} - profiles.keys():
        raise NotFound("Matching knows neither or only one of them.")
    index, slot, table = place
    draft = {"seller_id": seller_id, "buyer_id": buyer_id, "slot_index": index, "slot_id": slot, "table": table,
             "kind": "walk_in", "value": 0.0, "reasons": ["agreed on the day"]}
    doc = meeting_doc(meet, draft, {s["id"]: s for s in meet["slots"]}, profiles)
    if not add_meeting(ctx, doc, [messages.meeting_event(messages.MEETING_SCHEDULED, doc)]):
        raise Refused("These two already have a meeting at this meet.")
    return doc
