"""Who suits each approved participant of a meet best, for many participants at once.

``Suggester`` takes the profiles of a meet's approved participants once (parsing each
with ``Screen``) and then ranks any one participant's counterparts: their points for
every counterpart, the ``limit`` best kept, and only those explained by ``scoring.score``.
Ranking is by score, then seller id, then buyer id.
"""
from __future__ import annotations

import heapq
from typing import Any, Mapping

from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.scoring import Match, score
from services.matching.domain.screening import Screen

OTHER_SIDE = {"seller": "buyer", "buyer": "seller"}


def rare_districts(sellers: list[ParticipantProfile]) -> frozenset[str]:
    """Districts that at most one in twenty of the meet's sellers come from."""
    counts: dict[str, int] = {}
    for seller in sellers:
        if seller.district:
            counts[seller.district] = counts.get(seller.district, 0) + 1
    threshold = max(1, len(sellers) // 20)
    return frozenset(d for d, n in counts.items() if n <= threshold)


class Suggester:
    """Ranks counterparts among ``profiles`` (id -> profile, the meet's approved participants)."""

    def __init__(self, profiles: Mapping[str, ParticipantProfile]):
        self.profiles = dict(profiles)
        self.rare = rare_districts([p for p in self.profiles.values() if p.role == "seller"])
        self.screen = Screen(list(self.profiles.values()), self.rare)
        self.sides = {role: sorted(i for i, p in self.profiles.items() if p.role == role) for role in OTHER_SIDE}

    def best(self, participant_id: str, limit: int) -> list[Match]:
        """The ``limit`` best matches of one participant, best first (fewer if the other
        side is smaller; none if it is empty). Raises KeyError if ``participant_id`` is
        not among the profiles."""
        me = self.profiles[participant_id]
        if me.role == "seller":
            pairs = ((me.id, other) for other in self.sides["buyer"])
        else:
            pairs = ((other, me.id) for other in self.sides["seller"])
        kept = heapq.nsmallest(limit, pairs, key=lambda pair: (-self.screen.points(*pair), pair))
        return [score(self.profiles[s], self.profiles[b], self.rare) for s, b in kept]

    def top(self, participant_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """``best`` as the ``match_scores.updated`` event lists it: counterpart id, score, reasons."""
        me = self.profiles[participant_id]
        return [
            {"counterpart_id": m.buyer_id if me.role == "seller" else m.seller_id, "score": m.score, "reasons": list(m.reasons)}
            for m in self.best(participant_id, limit)
        ]
