"""SellerColumns gives every pair exactly the score Screen.points gives it (which equals
``scoring.score``, test_screening_and_publication.py), on generated profiles with
unreadable amounts, missing fields, shared and unique feature values; half points (a
buyer naming no category, half the certificates asked) fall on .5 and round half to even."""
import random

import pytest

from services.matching.domain.screening import Screen
from services.matching.domain.preferences import MUST_MEET, NO_THANKS, WOULD_LIKE, pair_value
from services.matching.domain.screening_columns import Ranking, SellerColumns
from tests.unit.matching.test_screening_and_publication import buyer, seller


@pytest.mark.parametrize("seed", range(8))
def test_every_buyers_scores_equal_screen_points_for_every_seller(seed):
    rng = random.Random(seed)
    sellers, buyers = [seller(rng, n) for n in range(80)], [buyer(rng, n) for n in range(30)]
    screen = Screen(sellers + buyers, frozenset({"Leh"}) if seed % 2 else frozenset())
    columns = SellerColumns(screen)
    assert columns.seller_ids == [s.id for s in sellers]
    for b in buyers:
        assert columns.points_of(b.id).tolist() == [screen.points(s.id, b.id) for s in sellers], b


def test_an_unknown_buyer_is_a_key_error():
    screen = Screen([seller(random.Random(1), 0)])
    with pytest.raises(KeyError):
        SellerColumns(screen).points_of("nobody")


def _old_ranking(screen, sellers, buyer_id, said, factor, keep):
    """The draft's ranking as it was written pair by pair (before SellerColumns)."""
    scored, excluded = [], set()
    for s in sellers:
        valued = pair_value(screen.points(s.id, buyer_id), said.get((buyer_id, s.id)), said.get((s.id, buyer_id)), factor)
        if valued is None:
            excluded.add((s.id, buyer_id))
        else:
            scored.append((valued[0], valued[1], s.id))
    scored.sort(key=lambda c: -c[0])
    return [c for i, c in enumerate(scored) if i < keep or c[1] != "recommended"], excluded


@pytest.mark.parametrize("seed", range(6))
def test_the_ranking_keeps_the_same_sellers_in_the_same_order_as_pair_by_pair(seed):
    rng = random.Random(100 + seed)
    sellers, buyers = [seller(rng, n) for n in range(120)], [buyer(rng, n) for n in range(12)]
    said = {}
    for _ in range(150):
        s, b = rng.choice(sellers).id, rng.choice(buyers).id
        who, whom = (s, b) if rng.random() < 0.5 else (b, s)
        said[(who, whom)] = rng.choice([MUST_MEET, WOULD_LIKE, NO_THANKS])
    said[("b0", "s-not-approved")] = MUST_MEET
    screen = Screen(sellers + buyers)
    factor, keep = rng.choice([1.0, 1.5, 3.0]), rng.choice([5, 20, 60])
    ranking = Ranking(SellerColumns(screen), said, factor)
    for b in buyers:
        assert ranking.sellers_for(b.id, keep) == _old_ranking(screen, sellers, b.id, said, factor, keep)
