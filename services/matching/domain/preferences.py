"""What each side said about the other, turned into the value of a meeting between them.

Requested pairs come first: a mutual wish outranks one-sided ones, and a buyer's wish
weighs more than a seller's (buyers are fewer and travel further), then the match score.
"""
from __future__ import annotations

MUST_MEET, WOULD_LIKE, NO_THANKS = "must_meet", "would_like", "no_thanks"
PREFERENCES = (MUST_MEET, WOULD_LIKE, NO_THANKS)
SELLER_WEIGHT = {MUST_MEET: 400, WOULD_LIKE: 200}
DEFAULT_BUYER_FACTOR = 1.5
MUTUAL_BONUS = 1000


def pair_value(score: int, buyer_says: str | None, seller_says: str | None, buyer_factor: float = DEFAULT_BUYER_FACTOR) -> tuple[float, str] | None:
    """(value, kind) of a possible meeting, or None when either side said no thanks.

    ``buyer_factor`` is how much more a buyer's wish weighs than a seller's (set per meet)."""
    if NO_THANKS in (buyer_says, seller_says):
        return None
    value = float(score) + SELLER_WEIGHT.get(buyer_says or "", 0) * buyer_factor + SELLER_WEIGHT.get(seller_says or "", 0)
    if buyer_says and seller_says:
        return value + MUTUAL_BONUS, "mutual_request"
    if buyer_says or seller_says:
        return value, "request"
    return value, "recommended"
