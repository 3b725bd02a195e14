"""Draft rules: a policy makes requested pairs required, named pairs become required (or
get a window) even outside the candidates a ranking kept, and named pairs that cannot
meet at all are returned with the reason; the solver then places required meetings first."""
from services.matching.domain.preferences import MUST_MEET, NO_THANKS, WOULD_LIKE
from services.matching.domain.required import DraftRules, PairRule, apply_rules, required_missing, required_stats
from services.matching.domain.scheduling import Candidate, Problem
from services.matching.domain.solver import solve

ROLES = {"s1": "seller", "s2": "seller", "s3": "seller", "b1": "buyer", "b2": "buyer"}
SAID = {("b1", "s1"): MUST_MEET, ("s2", "b1"): WOULD_LIKE, ("b2", "s3"): NO_THANKS}
CANDIDATES = [Candidate("s1", "b1", 600, "request"), Candidate("s2", "b1", 290, "request"), Candidate("s3", "b1", 40)]


def _made(seller_id, buyer_id):
    return None if (buyer_id, seller_id) in SAID and SAID[(buyer_id, seller_id)] == NO_THANKS else Candidate(seller_id, buyer_id, 10)


def _required(candidates):
    return sorted(c.pair for c in candidates if c.required)


def test_the_policies_require_must_meets_or_every_request():
    assert _required(apply_rules(CANDIDATES, DraftRules("none"), SAID, ROLES, _made)[0]) == []
    assert _required(apply_rules(CANDIDATES, DraftRules("must_meet"), SAID, ROLES, _made)[0]) == [("s1", "b1")]
    assert _required(apply_rules(CANDIDATES, DraftRules("requests"), SAID, ROLES, _made)[0]) == [("s1", "b1"), ("s2", "b1")]


def test_named_pairs_are_required_or_windowed_and_added_when_the_ranking_left_them_out():
    rules = DraftRules("none", (PairRule("s3", "b1", slots=frozenset({0, 1})), PairRule("s2", "b2"), PairRule("s1", "b1", required=False, slots=frozenset({2}))))
    ruled, unmet = apply_rules(CANDIDATES, rules, SAID, ROLES, _made)
    by_pair = {c.pair: c for c in ruled}
    assert unmet == []
    assert by_pair[("s3", "b1")].required and by_pair[("s3", "b1")].slots == {0, 1}
    assert by_pair[("s2", "b2")].required and by_pair[("s2", "b2")].value == 10
    assert not by_pair[("s1", "b1")].required and by_pair[("s1", "b1")].slots == {2}


def test_named_pairs_that_cannot_meet_are_returned_with_the_reason():
    rules = DraftRules("none", (PairRule("s9", "b1"), PairRule("s1", "s2"), PairRule("s3", "b2")))
    _, unmet = apply_rules(CANDIDATES, rules, SAID, ROLES, _made)
    assert [(u["seller_id"], u["buyer_id"], u["reason"]) for u in unmet] == [("s9", "b1", "not_approved"), ("s1", "s2", "roles"), ("s3", "b2", "no_thanks")]


def test_a_named_pair_left_out_though_nobody_said_no_thanks_had_their_meeting():
    """A pair's one meeting was cancelled (the organiser took its table away): naming them
    again says so, not that one of them said no thanks."""
    _, unmet = apply_rules(CANDIDATES, DraftRules("none", (PairRule("s2", "b2"),)), SAID, ROLES, lambda s, b: None)
    assert [(u["seller_id"], u["buyer_id"], u["reason"]) for u in unmet] == [("s2", "b2", "had_meeting")]


def test_a_required_meeting_is_placed_before_a_more_valuable_one_and_in_its_window():
    for window in (0, 1):
        candidates = [Candidate("s1", "b1", 500), Candidate("s3", "b1", 5)]
        ruled, unmet = apply_rules(candidates, DraftRules("none", (PairRule("s3", "b1", slots=frozenset({window})),)), {}, ROLES, _made)
        everyone = frozenset({0, 1})
        problem = Problem(["a", "b"], 1, {"s1": everyone, "s3": everyone, "b1": everyone}, ruled, default_max_meetings=1)
        solution = solve(problem, 2.0)
        assert [(m.seller_id, m.slot) for m in solution.schedule.meetings] == [("s3", window)]
        assert required_stats(problem, solution.schedule.meetings, unmet) == {"required_meetings": 1, "required_placed": 1}
        left_out = [{"seller_id": lo.candidate.seller_id, "buyer_id": lo.candidate.buyer_id} for lo in solution.left_out]
        assert required_missing(problem, left_out, unmet) == []


def test_a_required_meeting_that_cannot_be_placed_is_reported_missing():
    candidates = [Candidate("s1", "b1", 5, required=True, slots=frozenset({0}))]
    problem = Problem(["a", "b"], 1, {"s1": frozenset({1}), "b1": frozenset({0, 1})}, candidates)
    solution = solve(problem, 2.0)
    left_out = [{"seller_id": lo.candidate.seller_id, "buyer_id": lo.candidate.buyer_id, "reason": lo.reason} for lo in solution.left_out]
    missing = required_missing(problem, left_out, [{"seller_id": "s9", "buyer_id": "b1", "reason": "not_approved", "detail": "x"}])
    assert [(m["seller_id"], m["reason"]) for m in missing][1] == ("s9", "not_approved")
    assert missing[0]["seller_id"] == "s1" and required_stats(problem, solution.schedule.meetings, []) == {"required_meetings": 1, "required_placed": 0}
