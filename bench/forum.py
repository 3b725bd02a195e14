"""Forum-like instances of the B2B meeting-scheduling problem, after the real business
forums of Bofill, Coll, Garcia, Giraldez-Cru, Pesant, Suy, Villaret, "Constraint Solving
Approaches to the Business-to-Business Meeting Scheduling Problem" (JAIR, 2022): one day of
8 to 22 slots split into a morning and an afternoon, 40 to 80 participants, 120 to 300
meetings that must all happen, 14 to 27 tables, some meetings only in the morning or only
in the afternoon; the objective there is the fewest breaks.

Shaped on the real files (``bench/data/b2b``: tic-12, forum-13, forum-14): meetings per
participant are skewed (one in ten is a hub wanting about three times the mean: forum-14 has
0 to 22 meetings per participant, mean 7.7 of 22 slots); 120 to 300 meetings whatever the
number of slots (tic-12: 125 in 8 slots, forum-14: 302 in 22); a participant comes
all day, arrives late or leaves early (a block of slots at one end), comes only in the
morning or the afternoon, or misses one slot in the middle (forum-13: 21 of 70).

Instances are *planted*: each participant gets a run of consecutive slots within their
availability, and the people in a slot are paired at random (never twice the same pair,
at most the tables); those pairs are the meetings, windowed (morning or afternoon only)
around the slot they were planted in. So every instance is feasible, and the planted
schedule's breaks (a few, where someone in a slot found no partner) bound the optimum
from above, as the real forums' published optima (0 to 6) are small.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from services.matching.domain.breaks import breaks_per_person, person_slots
from services.matching.domain.scheduling import Candidate, Meeting, Problem

__all__ = ["Forum", "forum", "planted_forum"]


@dataclass
class Forum:
    """A forum-like problem, its planted schedule and that schedule's breaks."""

    problem: Problem
    planted: list[Meeting]
    planted_breaks: int


def forum(seed: int) -> Problem:
    """A forum-like instance; the same ``seed`` gives the same instance."""
    return planted_forum(seed).problem


def planted_forum(seed: int) -> Forum:
    """A forum-like instance with the schedule it was planted from (see the module)."""
    rng = random.Random(seed)
    n_slots = rng.randint(8, 22)
    every = frozenset(range(n_slots))
    morning = frozenset(range((n_slots + 1) // 2))
    afternoon = every - morning
    tables = rng.randint(14, 27)
    people = [f"p{i}" for i in range(rng.randint(40, 80))]
    wanted = min(rng.randint(120, 300), int(0.8 * tables * n_slots))
    availability = {who: _availability(rng, n_slots, morning, afternoon) for who in people}
    weights = {who: rng.uniform(2.5, 4.0) if rng.random() < 0.1 else rng.uniform(0.4, 1.2) for who in people}
    mean_run = min(0.85 * n_slots, 2.3 * wanted / len(people)) / (sum(weights.values()) / len(people))
    runs = {who: _run(rng, availability[who], n_slots, round(mean_run * weights[who])) for who in people}
    met: set[frozenset[str]] = set()
    planted: list[Meeting] = []
    for t in range(n_slots):
        here = [who for who in people if t in runs[who]]
        rng.shuffle(here)
        held = 0
        while len(here) >= 2 and held < tables:
            a = here.pop()
            b = next((who for who in here if frozenset((a, who)) not in met), None)
            if b is None:
                continue
            here.remove(b)
            met.add(frozenset((a, b)))
            planted.append(Meeting(a, b, t, 0, 1.0, "must_meet"))
            held += 1
    candidates = []
    for meeting in planted:
        roll = rng.random()
        window = (morning if meeting.slot in morning else afternoon) if roll < 0.3 else None
        candidates.append(Candidate(meeting.seller_id, meeting.buyer_id, 1.0, "must_meet", required=True, slots=window))
    problem = Problem([f"slot{t}" for t in range(n_slots)], tables, availability, candidates,
                      default_max_meetings=n_slots, days=[(0, n_slots - 1)])
    breaks = sum(breaks_per_person(person_slots((m.pair, m.slot) for m in planted), problem.day_ranges()).values())
    return Forum(problem, planted, breaks)


def _availability(rng: random.Random, n_slots: int, morning: frozenset[int], afternoon: frozenset[int]) -> frozenset[int]:
    every = frozenset(range(n_slots))
    roll = rng.random()
    if roll < 0.08:
        return morning
    if roll < 0.16:
        return afternoon
    if roll < 0.3:
        cut = rng.randint(1, max(1, n_slots // 4))
        return every - frozenset(range(cut)) if rng.random() < 0.5 else every - frozenset(range(n_slots - cut, n_slots))
    if roll < 0.5:
        return every - {rng.randrange(1, n_slots - 1)}
    return every


def _run(rng: random.Random, available: frozenset[int], n_slots: int, wanted: int) -> set[int]:
    """A run of about ``wanted`` consecutive available slots (within the longest stretch)."""
    stretches, current = [], []
    for t in range(n_slots):
        if t in available:
            current.append(t)
        elif current:
            stretches.append(current)
            current = []
    if current:
        stretches.append(current)
    stretch = max(stretches, key=len)
    length = max(1, min(len(stretch), wanted))
    first = rng.randint(0, len(stretch) - length)
    return set(stretch[first: first + length])
