"""The scheduler (``solver.solve``) against the greedy and first-fit, in the same run.

Three kinds of event, one JSON line each:

- ``real_forum``: the real business forums of Bofill et al. (``bench/data/b2b``, read by
  ``bench.b2b_file``), every meeting required, the objective the fewest breaks: required
  meetings placed (%), breaks, the solver's proven lower bound on breaks
  (``breaks_bound``; equal to ``breaks`` means proven optimal) and ``breaks_gap`` (their
  difference).
- ``forum``: forum-like instances planted by ``bench.forum`` (after the same paper), with
  the same figures and ``planted_breaks``, the breaks of the schedule each instance was
  planted from (so the optimum is at most that).
- ``full``: everyone available in all 32 slots (two days of 16), 500 x 60 and 3000 x 300
  with 30,000 candidate pairs: value against the proven optimum (the value LP's bound,
  reached when ``value_over_bound`` is 1), mean idle slots per participant with meetings.
- ``partial``: the same with each participant available in about 70% of the slots.

``cpu_seconds`` is process CPU time (CP-SAT's threads included), ``seconds`` wall clock.
"""
from __future__ import annotations

import random
import time

from bench.b2b_file import REAL_FORUMS, read_b2b
from bench.forum import planted_forum
from services.matching.domain.breaks import breaks_per_person, idle_per_person, person_slots
from services.matching.domain.scheduling import Candidate, Meeting, Problem, build_schedule
from services.matching.domain.solver import solve

FORUM_SEEDS = range(1, 6)
LARGE = {"regional": (500, 60, 500), "national": (3000, 300, 100)}  # sellers, buyers, candidate sellers per buyer
SLOTS_PER_DAY, DAYS = 16, 2
TIME_LIMIT = 10.0


def generate(sellers: int, buyers: int, per_buyer: int, share: float, seed: int = 7) -> Problem:
    """An event of ``DAYS`` x ``SLOTS_PER_DAY`` slots, a table per buyer, everyone's cap one
    day of slots, ``per_buyer`` candidate sellers per buyer (10% of them requested, worth
    more), each participant available in each slot with probability ``share``."""
    rng = random.Random(seed)
    n_slots = DAYS * SLOTS_PER_DAY
    seller_ids = [f"s{i}" for i in range(sellers)]
    buyer_ids = [f"b{i}" for i in range(buyers)]
    every = frozenset(range(n_slots))
    availability = {who: every if share >= 1 else frozenset(t for t in every if rng.random() < share) for who in seller_ids + buyer_ids}
    candidates = []
    for buyer in buyer_ids:
        for seller in rng.sample(seller_ids, min(per_buyer, sellers)):
            kind = rng.choices(["recommended", "request", "mutual_request"], [90, 8, 2])[0]
            bonus = {"recommended": 0, "request": 500, "mutual_request": 1000}[kind]
            candidates.append(Candidate(seller, buyer, bonus + rng.randint(20, 100), kind))
    days = [(d * SLOTS_PER_DAY, (d + 1) * SLOTS_PER_DAY - 1) for d in range(DAYS)]
    return Problem([f"slot{i}" for i in range(n_slots)], buyers, availability, candidates, default_max_meetings=SLOTS_PER_DAY, days=days)


def first_fit(problem: Problem) -> list[Meeting]:
    """Each pair, required first then by value, in the earliest slot free for both (in its window)."""
    busy: dict[str, set[int]] = {}
    used = [0] * len(problem.slots)
    placed = []
    for c in sorted(problem.candidates, key=lambda c: (not c.required, -c.value)):
        if any(len(busy.get(w, ())) >= problem.cap(w) for w in c.pair):
            continue
        allowed = problem.availability[c.seller_id] & problem.availability[c.buyer_id] & (c.slots if c.slots is not None else frozenset(range(len(problem.slots))))
        for slot in sorted(allowed):
            if used[slot] < problem.tables and all(slot not in busy.get(w, ()) for w in c.pair):
                for w in c.pair:
                    busy.setdefault(w, set()).add(slot)
                used[slot] += 1
                placed.append(Meeting(c.seller_id, c.buyer_id, slot, 0, c.value))
                break
    return placed


def _figures(problem: Problem, meetings: list[Meeting]) -> dict:
    slots = person_slots((m.pair, m.slot) for m in meetings)
    idle = idle_per_person(slots, problem.day_ranges())
    required = [c.pair for c in problem.candidates if c.required]
    placed = {m.pair for m in meetings}
    return {
        "meetings": len(meetings), "value": round(sum(m.value for m in meetings), 2),
        "required_placed_pct": round(100 * sum(1 for p in required if p in placed) / len(required), 2) if required else None,
        "breaks": sum(breaks_per_person(slots, problem.day_ranges()).values()),
        "mean_idle_slots": round(sum(idle.values()) / len(idle), 3) if idle else 0,
    }


def _timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, round(time.perf_counter() - wall, 3), round(time.process_time() - cpu, 3)


def _compare(kind: str, name: str, problem: Problem, **extra) -> dict:
    greedy, greedy_s, _ = _timed(lambda: build_schedule(problem).meetings)
    solution, seconds, cpu = _timed(lambda: solve(problem, TIME_LIMIT))
    mine = _figures(problem, solution.schedule.meetings)
    return {
        "benchmark": "scheduler", "kind": kind, "event": name,
        "participants": len(problem.availability), "slots": len(problem.slots), "tables": problem.tables, "candidate_pairs": len(problem.candidates),
        **mine, "status": solution.status, "method": solution.method, "value_proven_optimal": solution.value_optimal,
        "value_bound": solution.value_bound, "value_over_bound": round(solution.schedule.value / solution.value_bound, 6) if solution.value_bound else 1.0,
        "gap": solution.gap, "breaks_bound": solution.breaks_bound, "breaks_gap": solution.breaks - solution.breaks_bound, **extra,
        "seconds": seconds, "cpu_seconds": cpu,
        "greedy": {**_figures(problem, greedy), "seconds": greedy_s},
        "first_fit": _figures(problem, first_fit(problem)),
    }


def run(_env=None) -> list[dict]:
    results = [_compare("real_forum", name, read_b2b(name)) for name in REAL_FORUMS]
    for seed in FORUM_SEEDS:
        made = planted_forum(seed)
        results.append(_compare("forum", f"forum-{seed}", made.problem, planted_breaks=made.planted_breaks))
    for kind, share in (("full", 1.0), ("partial", 0.7)):
        for name, (sellers, buyers, per_buyer) in LARGE.items():
            results.append(_compare(kind, f"{name}-{sellers}x{buyers}x{DAYS * SLOTS_PER_DAY}", generate(sellers, buyers, per_buyer, share)))
    return results
