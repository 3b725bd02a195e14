"""The scheduler on generated events of growing size: time, value and the proven bound.

Baseline in the same run: first-fit (each pair, in value order, takes the earliest slot
free for both) on the same problem. ``value_over_baseline`` > 1 is what the compact
placement and augmenting moves buy; ``gap`` is the distance to the upper bound.
"""
from __future__ import annotations

import random
import time

from services.matching.domain.scheduling import Candidate, Meeting, Problem, build_schedule, idle_gaps

SIZES = {"small": (40, 15, 1, 12, 15), "regional": (500, 60, 2, 16, 60), "national": (3000, 300, 2, 24, 300)}
CANDIDATES_PER_BUYER = 60


def generate(sellers: int, buyers: int, days: int, slots_per_day: int, tables: int, seed: int = 7) -> Problem:
    rng = random.Random(seed)
    n_slots = days * slots_per_day
    seller_ids = [f"s{i}" for i in range(sellers)]
    buyer_ids = [f"b{i}" for i in range(buyers)]
    availability = {}
    for who in seller_ids + buyer_ids:
        day = rng.randrange(days)
        start = day * slots_per_day + (rng.randrange(slots_per_day // 2) if rng.random() < 0.3 else 0)
        availability[who] = frozenset(range(start, (day + 1) * slots_per_day))
        if rng.random() < 0.4 and days > 1:
            availability[who] |= frozenset(range(n_slots))
    candidates = []
    for buyer in buyer_ids:
        for seller in rng.sample(seller_ids, min(CANDIDATES_PER_BUYER, sellers)):
            kind = rng.choices(["recommended", "request", "mutual_request"], [90, 8, 2])[0]
            bonus = {"recommended": 0, "request": 500, "mutual_request": 1000}[kind]
            candidates.append(Candidate(seller, buyer, bonus + rng.randint(20, 100), kind))
    return Problem([f"slot{i}" for i in range(n_slots)], tables, availability, candidates, default_max_meetings=slots_per_day)


def first_fit(problem: Problem) -> tuple[float, list]:
    busy: dict[str, set[int]] = {}
    count: dict[str, int] = {}
    used = [0] * len(problem.slots)
    seen, total, placed = set(), 0.0, []
    for c in sorted(problem.candidates, key=lambda c: -c.value):
        if c.pair in seen or any(count.get(w, 0) >= problem.cap(w) for w in c.pair):
            continue
        for slot in sorted(problem.availability[c.seller_id] & problem.availability[c.buyer_id]):
            if used[slot] < problem.tables and slot not in busy.get(c.seller_id, ()) and slot not in busy.get(c.buyer_id, ()):
                for w in c.pair:
                    busy.setdefault(w, set()).add(slot)
                    count[w] = count.get(w, 0) + 1
                used[slot] += 1
                seen.add(c.pair)
                total += c.value
                placed.append(Meeting(c.seller_id, c.buyer_id, slot, 0, c.value))
                break
    return total, placed


def run(_env=None) -> list[dict]:
    results = []
    for name, size in SIZES.items():
        problem = generate(*size)
        started = time.perf_counter()
        baseline, baseline_meetings = first_fit(problem)
        baseline_s = time.perf_counter() - started
        started = time.perf_counter()
        schedule = build_schedule(problem)
        elapsed = time.perf_counter() - started
        gaps, baseline_gaps = idle_gaps(schedule.meetings), idle_gaps(baseline_meetings)
        results.append({
            "benchmark": "scheduler",
            "event": name,
            "sellers": size[0], "buyers": size[1], "slots": len(problem.slots), "tables": problem.tables,
            "candidate_pairs": len(problem.candidates),
            "meetings": len(schedule.meetings),
            "seconds": round(elapsed, 3),
            "value": schedule.value,
            "upper_bound": schedule.upper_bound,
            "gap": schedule.gap,
            "baseline_value": baseline,
            "value_over_baseline": round(schedule.value / baseline, 4) if baseline else None,
            "seconds_over_baseline": round(elapsed / baseline_s, 2) if baseline_s else None,
            "mean_idle_slots": round(sum(gaps.values()) / len(gaps), 3) if gaps else 0,
            "baseline_mean_idle_slots": round(sum(baseline_gaps.values()) / len(baseline_gaps), 3) if baseline_gaps else 0,
        })
    return results
