"""Which meetings a draft must place, and in which slots a meeting may go.

A meet's organisers say it per draft (B2B forums fix a set of meetings that must all happen,
Bofill et al., JAIR 2022): ``policy`` makes every pair someone asked for required
(``requests``: must meet or would like, either side) or only those with a must meet
(``must_meet``); ``pairs`` names pairs one by one, required or not, each with an optional
window of slots (e.g. mornings only). The solver then places every required meeting it
can before any other (``solver.py``) and reports those it cannot, with the reason. A named
pair that cannot even be considered (someone not approved, two sellers, a no thanks) is
returned here with its reason, so the draft says it too.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from services.matching.domain.objectives import DEFAULT_ORDER
from services.matching.domain.preferences import MUST_MEET, NO_THANKS
from services.matching.domain.scheduling import Candidate, Meeting, Problem

POLICIES = ("none", "must_meet", "requests")


@dataclass(frozen=True)
class PairRule:
    """An organiser's word on one pair: ``required`` and/or ``slots`` (slot indexes; None: any)."""

    seller_id: str
    buyer_id: str
    required: bool = True
    slots: frozenset[int] | None = None


@dataclass(frozen=True)
class DraftRules:
    """``policy``: one of ``POLICIES``; ``pairs``: the organiser's pair rules;
    ``objectives``: the order the draft ranks schedules in (``objectives.py``)."""

    policy: str = "none"
    pairs: tuple[PairRule, ...] = ()
    objectives: tuple[str, ...] = DEFAULT_ORDER


def apply_rules(
    candidates: list[Candidate], rules: DraftRules, said: dict[tuple[str, str], str], roles: dict[str, str],
    candidate_of: Callable[[str, str], Candidate | None],
) -> tuple[list[Candidate], list[dict[str, str]]]:
    """``candidates`` with ``required`` and ``slots`` set by ``rules``, plus a candidate for
    each named pair that was not one (``candidate_of(seller, buyer)``, None when a no thanks
    excludes the pair); and the named pairs that cannot be candidates,
    as ``{"seller_id", "buyer_id", "reason", "detail"}`` with reason ``not_approved``,
    ``roles``, ``no_thanks`` or ``had_meeting``. ``said``: ``(who, counterpart)`` -> preference; ``roles``:
    approved participant -> seller | buyer."""
    if rules.policy not in POLICIES:
        raise ValueError(f"policy is one of {POLICIES}")
    named = {(rule.seller_id, rule.buyer_id): rule for rule in rules.pairs}
    ruled, seen = [], set()
    for candidate in candidates:
        required = candidate.required or _by_policy(candidate, rules.policy, said)
        rule = named.get(candidate.pair)
        if rule is not None:
            required, seen = required or rule.required, seen | {candidate.pair}
            candidate = replace(candidate, slots=rule.slots if rule.slots is not None else candidate.slots)
        ruled.append(replace(candidate, required=required) if required != candidate.required else candidate)
    unmet = []
    for pair, rule in named.items():
        if pair in seen:
            continue
        seller_id, buyer_id = pair
        missing = [who for who in pair if who not in roles]
        if missing:
            unmet.append(_unmet(rule, "not_approved", f"{', '.join(missing)}: not approved for this meet (or not yet known to matching)"))
        elif (roles[seller_id], roles[buyer_id]) != ("seller", "buyer"):
            unmet.append(_unmet(rule, "roles", f"{seller_id} is a {roles[seller_id]}, {buyer_id} a {roles[buyer_id]}"))
        elif (candidate := candidate_of(seller_id, buyer_id)) is None:
            if NO_THANKS in (said.get((seller_id, buyer_id)), said.get((buyer_id, seller_id))):
                unmet.append(_unmet(rule, "no_thanks", "one side said no thanks"))
            else:
                unmet.append(_unmet(rule, "had_meeting", "they had their one meeting of this meet (cancelled, or held before the meet changed)"))
        else:
            ruled.append(replace(candidate, required=rule.required, slots=rule.slots))
    return ruled, unmet


def _by_policy(candidate: Candidate, policy: str, said: dict[tuple[str, str], str]) -> bool:
    if policy == "requests":
        return candidate.kind != "recommended"
    if policy == "must_meet":
        return MUST_MEET in (said.get((candidate.buyer_id, candidate.seller_id)), said.get((candidate.seller_id, candidate.buyer_id)))
    return False


def _unmet(rule: PairRule, reason: str, detail: str) -> dict[str, str]:
    return {"seller_id": rule.seller_id, "buyer_id": rule.buyer_id, "reason": reason, "detail": detail}


def required_pairs(problem: Problem) -> set[tuple[str, str]]:
    """The (seller, buyer) pairs ``problem`` requires (a no thanks aside)."""
    return {c.pair for c in problem.candidates if c.required and c.pair not in problem.excluded}


def required_stats(problem: Problem, meetings: Iterable[Meeting], unmet: list[dict[str, str]]) -> dict[str, int]:
    """``required_meetings`` (required candidates, plus named required pairs that could not
    be candidates) and ``required_placed`` (of those, scheduled)."""
    required = required_pairs(problem)
    placed = sum(1 for m in meetings if (m.seller_id, m.buyer_id) in required)
    return {"required_meetings": len(required) + len(unmet), "required_placed": placed}


def required_missing(problem: Problem, left_out: list[dict[str, Any]], unmet: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Every required meeting the draft does not hold: the entries of the draft's
    ``left_out`` (seller_id, buyer_id, kind, value, reason, detail) for required pairs, then
    the named pairs that could not be candidates (kind ``named``, value 0)."""
    required = required_pairs(problem)
    return [e for e in left_out if (e["seller_id"], e["buyer_id"]) in required] + [{**pair, "kind": "named", "value": 0.0} for pair in unmet]
