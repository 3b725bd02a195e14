"""Who suits whom at a meet, and what participants said about each other."""
from __future__ import annotations

from typing import Any

from services.matching.actions.context import Matching, NotFound, Refused, meet_of
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.scoring import Match
from services.matching.domain.suggestions import Suggester


def approved_profiles(ctx: Matching, meet_id: str) -> dict[str, ParticipantProfile]:
    """Profiles of the meet's approved participants (its roster, then one ``_id`` read each)."""
    return ctx.profiles.many(sorted(ctx.meets.roster(meet_id)))


def recommendations(ctx: Matching, meet_id: str, participant_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The counterparts who suit a participant best, with the reasons. Raises NotFound."""
    meet_of(ctx, meet_id)
    profiles = approved_profiles(ctx, meet_id)
    if participant_id not in profiles:
        raise NotFound(f"{participant_id} is not an approved participant of this meet.")
    return [_match_view(m, profiles) for m in Suggester(profiles).best(participant_id, limit)]


def _match_view(match: Match, profiles: dict[str, ParticipantProfile]) -> dict[str, Any]:
    seller, buyer = profiles[match.seller_id], profiles[match.buyer_id]
    return {
        "seller": {"id": seller.id, "name": seller.organisation or seller.name, "district": seller.district},
        "buyer": {"id": buyer.id, "name": buyer.organisation or buyer.name, "country": buyer.country},
        "score": match.score,
        "reasons": list(match.reasons),
        "concerns": list(match.concerns),
    }


def set_preference(ctx: Matching, meet_id: str, participant_id: str, counterpart_id: str, preference: str) -> None:
    """Record a participant's wish about a counterpart. Raises NotFound, Refused."""
    meet_of(ctx, meet_id)
    mine, theirs = ctx.meets.participation(meet_id, participant_id), ctx.meets.participation(meet_id, counterpart_id)
    if not mine or not theirs:
        raise NotFound("Both must be participants of this meet.")
    if mine["role"] == theirs["role"]:
        raise Refused("Preferences are for the other side: sellers rate buyers, buyers rate sellers.")
    ctx.preferences.put(meet_id, participant_id, counterpart_id, mine["role"], preference)
