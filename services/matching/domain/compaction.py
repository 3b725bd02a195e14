"""Fewer breaks by large-neighbourhood search: re-optimise a part of the schedule with the
rest fixed, again and again, each time from the best schedule so far (Shaw's LNS, with
neighbourhoods that follow the breaks):

- *people*: the pairs of a participant with breaks (drawn in proportion to their breaks),
  then of the people they meet, then of people drawn at random, until about ``size`` pairs
  are free; every other meeting keeps its slot;
- *window*: the pairs meeting in a run of consecutive slots (about ``size`` of them), and
  the pairs left out, are free.

The caller solves a part (``part``: the exact model of the free pairs around the fixed
meetings, holding their required meetings and value, with a short time limit). The
neighbourhood grows while parts are solved to optimality and shrinks when they time out.
A part never returns more breaks than its hint (the current schedule), but ties are kept:
moving sideways lets later parts find what this one could not.
"""
from __future__ import annotations

import random
import time
from typing import Callable

from services.matching.domain.scheduling import Meeting

__all__ = ["improve"]

Pair = tuple[str, str]
Part = Callable[[list[Meeting], set[Pair], float], "tuple[bool, list[Meeting] | None]"]

STEP_SECONDS = 0.4  # time limit of one part
FIRST_SIZE = 24  # free pairs in the first neighbourhood
SMALLEST, LARGEST = 8, 200


def improve(start: list[Meeting], part: Part, count: Callable[[list[Meeting]], dict[str, int]], pairs: list[Pair],
            slots: list[int], seconds: float, seed: int = 7) -> list[Meeting]:
    """The schedule with the fewest breaks found from ``start`` within ``seconds`` (wall
    clock). ``count`` gives a schedule's breaks per participant; ``pairs`` are the pairs the
    parts may place (open pairs); ``slots`` the slot indexes."""
    deadline = time.perf_counter() + seconds
    rng = random.Random(seed)
    by_person: dict[str, set[Pair]] = {}
    for pair in pairs:
        for who in pair:
            by_person.setdefault(who, set()).add(pair)
    best, per_person = list(start), count(start)
    size = FIRST_SIZE
    while sum(per_person.values()) > 0 and deadline - time.perf_counter() > 0.05:
        if rng.random() < 0.75:
            free = _people(rng, by_person, per_person, best, size)
        else:
            free = _window(rng, best, pairs, slots, size)
        optimal, found = part(best, free, min(STEP_SECONDS, deadline - time.perf_counter()))
        if found is not None:
            breaks = count(found)
            if sum(breaks.values()) <= sum(per_person.values()):
                best, per_person = found, breaks
        size = min(LARGEST, size + 4) if optimal else max(SMALLEST, size - 4)
    return best


def _people(rng: random.Random, by_person: dict[str, set[Pair]], per_person: dict[str, int], meetings: list[Meeting], size: int) -> set[Pair]:
    weighted = [(who, n) for who, n in sorted(per_person.items()) if n > 0]
    seed = rng.choices([w for w, _ in weighted], [n for _, n in weighted])[0]
    partners = sorted({who for m in meetings if seed in m.pair for who in m.pair} - {seed})
    rng.shuffle(partners)
    others = sorted(by_person)
    rng.shuffle(others)
    free = set(by_person.get(seed, ()))
    for who in partners + others:
        if len(free) >= size:
            break
        free |= by_person.get(who, set())
    return free


def _window(rng: random.Random, meetings: list[Meeting], pairs: list[Pair], slots: list[int], size: int) -> set[Pair]:
    placed = {m.pair: m.slot for m in meetings}
    per_slot = max(1, len(placed) // max(1, len(slots)))
    width = max(1, min(len(slots), round(size / per_slot)))
    first = rng.randint(slots[0], max(slots[0], slots[-1] - width + 1))
    return {pair for pair in pairs if pair not in placed or first <= placed[pair] < first + width}
