"""Suggester ranks a participant's counterparts exactly as scoring every pair would, and
says what the match_scores.updated event carries."""
import random

import pytest

from services.matching.domain.scoring import score
from services.matching.domain.suggestions import Suggester, rare_districts
from tests.unit.matching.test_screening_and_publication import buyer, seller


def _meet(seed: int):
    rng = random.Random(seed)
    people = [seller(rng, n) for n in range(50)] + [buyer(rng, n) for n in range(30)]
    return {p.id: p for p in people}


def _by_full_score(profiles, participant_id, limit):
    me = profiles[participant_id]
    rare = rare_districts([p for p in profiles.values() if p.role == "seller"])
    pairs = [(me, o) if me.role == "seller" else (o, me) for o in profiles.values() if o.role != me.role]
    matches = [score(s, b, rare) for s, b in pairs]
    return sorted(matches, key=lambda m: (-m.score, m.seller_id, m.buyer_id))[:limit]


@pytest.mark.parametrize("seed", [1, 2])
def test_best_matches_are_the_top_of_every_pair_scored_in_full(seed):
    profiles = _meet(seed)
    suggester = Suggester(profiles)
    for participant_id in ["s0", "s7", "s49", "b0", "b29"]:
        assert suggester.best(participant_id, 5) == _by_full_score(profiles, participant_id, 5)


def test_top_names_the_counterpart_with_score_and_reasons():
    profiles = _meet(3)
    suggester = Suggester(profiles)
    [best] = _by_full_score(profiles, "b4", 1)
    top = suggester.top("b4", 5)
    assert len(top) == 5
    assert top[0] == {"counterpart_id": best.seller_id, "score": best.score, "reasons": list(best.reasons)}
    assert all(t["counterpart_id"].startswith("b") for t in suggester.top("s4", 5))


def test_nobody_on_the_other_side_means_no_suggestions_and_an_unknown_id_raises():
    rng = random.Random(4)
    sellers = {s.id: s for s in (seller(rng, n) for n in range(3))}
    suggester = Suggester(sellers)
    assert suggester.top("s1") == []
    with pytest.raises(KeyError):
        suggester.best("b1", 5)
    assert len(Suggester({**sellers, "b9": buyer(rng, 9)}).top("s1")) == 1


def test_a_newcomer_is_taken_in_exactly_when_ranking_everyone_again_would_list_them():
    profiles = _meet(4)
    everyone = Suggester(profiles)
    newcomers = ["b27", "b28", "b29", "s48", "s49"]
    before = Suggester({i: p for i, p in profiles.items() if i not in newcomers})
    for participant_id in ["s0", "s3", "s11", "s30", "b0", "b5", "b17"]:
        told = {m["counterpart_id"] for m in before.top(participant_id, 5)}
        now = {m["counterpart_id"] for m in everyone.top(participant_id, 5)}
        taken_in = everyone.takes_in(participant_id, newcomers, before.floor(participant_id, 5))
        assert taken_in == bool(now - told), participant_id


def test_someone_told_fewer_than_the_limit_takes_in_any_newcomer_on_the_other_side():
    profiles = {i: p for i, p in _meet(5).items() if i in ("s0", "s1", "b0", "b1")}
    suggester = Suggester(profiles)
    assert suggester.floor("s0", 5) is None
    assert suggester.takes_in("s0", ["b1"], None) and not suggester.takes_in("s0", ["s1"], None)
    assert suggester.floor("s0", 2) is not None
