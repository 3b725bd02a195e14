"""Who suits each approved participant of a meet best, for many participants at once.

``Suggester`` takes the profiles of a meet's approved participants once (parsing each
with ``Screen``) and then ranks any one participant's counterparts: their points for
every counterpart, the ``limit`` best kept, and only those explained by ``scoring.score``.
Ranking is by score, then seller id, then buyer id.

When counterparts are approved after a participant was told, ``floor`` (the ranking key
of the worst counterpart they were told, stored with what they were told) and
``takes_in`` say, without ranking everyone again, whether any newcomer would now be
among their best: only those participants are worked out afresh.
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

    def _pairs(self, participant_id: str, counterpart_ids) -> Any:
        if self.profiles[participant_id].role == "seller":
            return ((participant_id, other) for other in counterpart_ids)
        return ((other, participant_id) for other in counterpart_ids)

    def _key(self, pair: tuple[str, str]) -> tuple[int, str, str]:
        return (-self.screen.points(*pair), *pair)

    def best(self, participant_id: str, limit: int) -> list[Match]:
        """The ``limit`` best matches of one participant, best first (fewer if the other
        side is smaller; none if it is empty). Raises KeyError if ``participant_id`` is
        not among the profiles."""
        me = self.profiles[participant_id]
        kept = heapq.nsmallest(limit, self._pairs(participant_id, self.sides[OTHER_SIDE[me.role]]), key=self._key)
        return [score(self.profiles[s], self.profiles[b], self.rare) for s, b in kept]

    def floor(self, participant_id: str, limit: int) -> list[Any] | None:
        """The ranking key ``[-points, seller id, buyer id]`` of the participant's
        ``limit``-th best counterpart, or None when they have fewer than ``limit`` (any
        newcomer on the other side is then among their best)."""
        me = self.profiles[participant_id]
        kept = heapq.nsmallest(limit, self._pairs(participant_id, self.sides[OTHER_SIDE[me.role]]), key=self._key)
        return list(self._key(kept[-1])) if len(kept) == limit else None

    def takes_in(self, participant_id: str, newcomer_ids: list[str], floor: list[Any] | None) -> bool:
        """Whether any of ``newcomer_ids`` on the participant's other side ranks above
        ``floor`` (what ``floor`` returned when they were last told), i.e. would now be
        among their best. Newcomers on the participant's own side are ignored."""
        other = OTHER_SIDE[self.profiles[participant_id].role]
        newcomers = [n for n in newcomer_ids if n in self.profiles and self.profiles[n].role == other]
        if not newcomers:
            return False
        return floor is None or any(self._key(pair) < tuple(floor) for pair in self._pairs(participant_id, newcomers))

    def top(self, participant_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """``best`` as the ``match_scores.updated`` event lists it: counterpart id, score, reasons."""
        me = self.profiles[participant_id]
        return [
            {"counterpart_id": m.buyer_id if me.role == "seller" else m.seller_id, "score": m.score, "reasons": list(m.reasons)}
            for m in self.best(participant_id, limit)
        ]
