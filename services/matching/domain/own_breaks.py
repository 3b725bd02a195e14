"""A relaxation for a lower bound on breaks: each participant alone.

When the pairs a schedule must hold are forced (every open pair placed, see
``TimeIndexed._forced``), each participant's meetings are known. Placing them alone,
within their open slots and around their locked meetings, with everyone else's meetings,
tables and interpreters forgotten, needs at least some number of breaks (a participant
free only in slots 1-3 and 6-8 with five meetings needs one). The sum over participants
bounds the breaks of every schedule.

``alone`` builds that relaxed problem for one participant: their pairs, each with a partner
of its own who is free whenever the pair is open, as many tables as meetings, and their
locked meetings kept; the exact model (``TimeIndexed.minimise_breaks``) solves it.
"""
from __future__ import annotations

from services.matching.domain.openings import Openings
from services.matching.domain.scheduling import Candidate, Meeting, Problem

__all__ = ["alone", "without_break_alone"]


def alone(problem: Problem, openings: Openings, who: str, meetings: list[Meeting]) -> tuple[Problem, list[Meeting]]:
    """The problem of ``who`` alone (see the module docstring; every pair is required) and
    the schedule ``meetings`` (unlocked, holding every open pair) gives it."""
    mine = [o for o in openings.pairs if who in o.candidate.pair]
    slot = {m.pair: m.slot for m in meetings}
    every = frozenset(range(len(problem.slots)))
    locked = sorted(openings.locked_busy.get(who, set()))
    candidates = [Candidate(who, f"partner {i}", 1.0, required=True, slots=frozenset(o.slots)) for i, o in enumerate(mine)]
    pinned = [Meeting(who, f"locked {i}", t, 0, locked=True) for i, t in enumerate(locked)]
    people = [c.buyer_id for c in candidates] + [m.buyer_id for m in pinned]
    relaxed = Problem(list(problem.slots), max(1, len(mine) + len(locked)), {who: every, **{p: every for p in people}}, candidates,
                      default_max_meetings=len(problem.slots), locked=pinned, days=problem.days)
    hint = [Meeting(who, c.buyer_id, slot[o.candidate.pair], 0, 1.0) for c, o in zip(candidates, mine)]
    return relaxed, hint


def without_break_alone(open_slots: list[tuple[int, ...]], locked: set[int], days: list[tuple[int, int]]) -> bool:
    """Whether a participant alone can hold meetings open in ``open_slots`` (one tuple of
    slot indexes per meeting) and locked meetings in ``locked`` without a break, all in one
    run of consecutive slots of one day: a quick sufficient test that they need none (True
    proves it; False leaves the question to the exact model, as the run may be split
    between days). For each day and each run as long as the meetings that holds every
    locked slot, the free slots of the run are matched to the meetings (Kuhn's augmenting
    paths; a run of n slots is filled exactly when the matching is perfect)."""
    n = len(open_slots) + len(locked)
    for first, last in days:
        for start in range(first, last - n + 2):
            run = range(start, start + n)
            if all(t in run for t in locked) and _perfect([[t for t in slots if t in run and t not in locked] for slots in open_slots]):
                return True
    return n == 0


def _perfect(choices: list[list[int]]) -> bool:
    """Whether every meeting gets a slot of its own among its ``choices``."""
    holder: dict[int, int] = {}

    def augment(k: int, seen: set[int]) -> bool:
        for t in choices[k]:
            if t not in seen:
                seen.add(t)
                if t not in holder or augment(holder[t], seen):
                    holder[t] = k
                    return True
        return False

    return all(augment(k, set()) for k in range(len(choices)))
