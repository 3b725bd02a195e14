"""Who suits whom at a meet, and what participants said about each other."""
from __future__ import annotations

from typing import Any

from services.matching.actions.context import Matching, NotFound, Refused, meet_of
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.screening import Screen
from services.matching.domain.scoring import Match, score


def rare_districts(sellers: list[ParticipantProfile]) -> frozenset[str]:
    """Districts that at most one in twenty of the meet's sellers come from."""
    counts: dict[str, int] = {}
    for seller in sellers:
        if seller.district:
            counts[seller.district] = counts.get(seller.district, 0) + 1
    threshold = max(1, len(sellers) // 20)
    return frozenset(d for d, n in counts.items() if n <= threshold)


def approved_profiles(ctx: Matching, meet_id: str) -> dict[str, ParticipantProfile]:
    """Profiles of the meet's approved participants (its roster, then one ``_id`` read each)."""
    return ctx.profiles.many(sorted(ctx.meets.roster(meet_id)))


def recommendations(ctx: Matching, meet_id: str, participant_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The counterparts who suit a participant best, with the reasons. Raises NotFound."""
    meet_of(ctx, meet_id)
    profiles = approved_profiles(ctx, meet_id)
    me = profiles.get(participant_id)
    if me is None:
        raise NotFound(f"{participant_id} is not an approved participant of this meet.")
    others = [p for p in profiles.values() if p.role != me.role]
    rare = rare_districts([p for p in profiles.values() if p.role == "seller"])
    screen = Screen([me, *others], rare)
    pairs = [(me, o) if me.role == "seller" else (o, me) for o in others]
    pairs.sort(key=lambda pair: (-screen.points(pair[0].id, pair[1].id), pair[0].id, pair[1].id))
    return [_match_view(score(s, b, rare), profiles) for s, b in pairs[:limit]]


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
