"""Forum-like instances of the B2B meeting-scheduling problem, after the description of the
real business forums in Bofill, Coll, Garcia, Giraldez-Cru, Pesant, Suy, Villaret,
"Constraint Solving Approaches to the Business-to-Business Meeting Scheduling Problem"
(JAIR, 2022): one day of 8 to 22 slots split into a morning and an afternoon, 40 to 80
participants, 120 to 300 meetings that must all happen, 14 to 27 tables; some participants
come only in the morning or only in the afternoon (or miss a few slots); some meetings must
be in the morning, some in the afternoon. The objective there is the fewest breaks.

Participants have about ``LOAD`` of the day's slots in meetings on average (the busiest
up to 80% of their own slots). Instances are drawn so that each participant's meetings fit in their slots and all
meetings fit in the tables; whether all can be placed at once is for the solver to say.
"""
from __future__ import annotations

import random

from services.matching.domain.scheduling import Candidate, Problem

__all__ = ["forum"]

LOAD = 0.45  # a participant's meetings, on average, as a share of the day's slots


def forum(seed: int) -> Problem:
    """A forum-like instance; the same ``seed`` gives the same instance."""
    rng = random.Random(seed)
    n_slots = rng.randint(8, 22)
    morning = frozenset(range(n_slots // 2))
    afternoon = frozenset(range(n_slots // 2, n_slots))
    wanted = rng.randint(120, 300)
    people = [f"p{i}" for i in range(max(40, min(80, round(2 * wanted / (LOAD * n_slots)))))]
    tables = rng.randint(14, 27)
    availability = {}
    for who in people:
        roll = rng.random()
        if roll < 0.1:
            availability[who] = morning
        elif roll < 0.2:
            availability[who] = afternoon
        elif roll < 0.35:
            availability[who] = frozenset(range(n_slots)) - frozenset(rng.sample(range(n_slots), 2))
        else:
            availability[who] = frozenset(range(n_slots))
    wanted = min(wanted, int(0.8 * tables * n_slots))
    load = {who: 0 for who in people}
    pairs: set[tuple[str, str]] = set()
    candidates = []
    for _ in range(wanted * 20):
        if len(candidates) >= wanted:
            break
        a, b = rng.sample(people, 2)
        shared = availability[a] & availability[b]
        if (a, b) in pairs or (b, a) in pairs or len(shared) < 2:
            continue
        if any(load[w] + 1 > 0.8 * len(availability[w]) for w in (a, b)):
            continue
        roll = rng.random()
        window = morning if roll < 0.15 else afternoon if roll < 0.3 else None
        if window is not None and len(shared & window) < 2:
            window = None
        pairs.add((a, b))
        for w in (a, b):
            load[w] += 1
        candidates.append(Candidate(a, b, 1.0, "must_meet", required=True, slots=window))
    return Problem([f"slot{t}" for t in range(n_slots)], tables, availability, candidates,
                   default_max_meetings=n_slots, days=[(0, n_slots - 1)])
