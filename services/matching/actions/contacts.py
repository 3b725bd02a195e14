"""What each side of a confirmed meeting sees of the other's contact details (read by
``_id`` only: the pair's meeting ``<meet>:<seller>:<buyer>`` and their requests
``<meet>:<from>:<to>``). The rule itself is ``domain.contact_exchange``."""
from __future__ import annotations

from typing import Any

from services.matching.actions.context import Matching, NotFound
from services.matching.domain.contact_exchange import confirmed, public_profile, shared_contact


def pair_confirmed(ctx: Matching, meet_id: str, one_id: str, other_id: str) -> bool:
    """Whether ``one_id`` and ``other_id`` have a confirmed meeting at the meet (either may
    be the seller; a pair of the same side never has one)."""
    ids = [f"{meet_id}:{one_id}:{other_id}", f"{meet_id}:{other_id}:{one_id}"]
    return confirmed([ctx.meetings.get(i) for i in ids], [ctx.requests.get(i) for i in ids])


def participant_view(ctx: Matching, participant_id: str, viewer_id: str | None = None, meet_id: str | None = None) -> dict[str, Any] | None:
    """The profile of ``participant_id`` as ``viewer_id`` may see it: without contact
    details for themselves and staff (``viewer_id`` None); for another participant, only
    when the two have a confirmed meeting at ``meet_id`` (with the contact unless the
    participant opted out), else None (not theirs to see). Raises NotFound."""
    other = viewer_id is not None and viewer_id != participant_id
    if other and (not meet_id or not pair_confirmed(ctx, meet_id, viewer_id, participant_id)):
        return None
    profile = ctx.profiles.get(participant_id)
    if profile is None:
        raise NotFound(f"Matching knows no participant {participant_id}.")
    return public_profile(profile, shared_contact(profile) if other else None)


def agenda_contacts(ctx: Matching, participant_id: str, meetings: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Meeting id -> the counterpart's shared contact, for each of the participant's
    confirmed ``meetings`` whose counterpart shares theirs."""
    counterpart = {m["_id"]: m["buyer_id"] if m["seller_id"] == participant_id else m["seller_id"] for m in meetings if confirmed([m])}
    profiles = ctx.profiles.many(sorted(set(counterpart.values())))
    shown = {meeting_id: shared_contact(profiles.get(other)) for meeting_id, other in counterpart.items()}
    return {meeting_id: contact for meeting_id, contact in shown.items() if contact}
