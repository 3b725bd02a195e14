"""What is left to schedule once the locked meetings are in: each candidate pair with the
slots it could still take, and each participant's remaining room.

Shared by the exact model and the value relaxation, so both see the same problem.
A slot is open to a pair when both are available, it lies in the pair's window, neither is
in a locked meeting then, a table is still free then, and (for a pair who share no language)
an interpreter who covers both is on duty and not locked into another meeting then.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from services.matching.domain.scheduling import Candidate, Problem, distinct

__all__ = ["Opening", "Openings", "openings_of"]


@dataclass(frozen=True)
class Opening:
    """A candidate pair and its open slots, each with the interpreters free then (empty
    tuple for a pair who share a language)."""

    candidate: Candidate
    slots: tuple[int, ...]
    interpreters: dict[int, tuple[str, ...]]


@dataclass
class Openings:
    """The open pairs, each participant's remaining cap (``room``), the tables left per slot
    and the slots each participant is already busy in (locked)."""

    pairs: list[Opening]
    room: dict[str, int]
    tables_left: list[int]
    locked_busy: dict[str, set[int]]


def openings_of(problem: Problem) -> Openings:
    """The open pairs of ``problem``: not excluded, not locked, with room on both sides and
    at least one open slot."""
    locked_busy: dict[str, set[int]] = {}
    for meeting in problem.locked:
        for who in meeting.pair:
            locked_busy.setdefault(who, set()).add(meeting.slot)
    per_slot = Counter(m.slot for m in problem.locked)
    tables_left = [max(0, problem.tables - per_slot[t]) for t in range(len(problem.slots))]
    interpreter_taken = {(m.interpreter, m.slot) for m in problem.locked if m.interpreter}
    locked_pairs = {m.pair for m in problem.locked}
    people = {p for c in problem.candidates for p in c.pair} | set(locked_busy)
    room = {p: problem.cap(p) - len(locked_busy.get(p, ())) for p in people}
    every = frozenset(range(len(problem.slots)))
    pairs = []
    for c in distinct(problem.candidates):
        if c.pair in problem.excluded or c.pair in locked_pairs or min(room[c.seller_id], room[c.buyer_id]) <= 0:
            continue
        shared = problem.availability.get(c.seller_id, frozenset()) & problem.availability.get(c.buyer_id, frozenset()) & (c.slots if c.slots is not None else every)
        shared = {t for t in shared & every if tables_left[t] > 0} - locked_busy.get(c.seller_id, set()) - locked_busy.get(c.buyer_id, set())
        helpers: dict[int, tuple[str, ...]] = {}
        if c.interpreters is not None:
            for t in sorted(shared):
                helpers[t] = tuple(i for i in sorted(c.interpreters) if t in problem.interpreter_availability.get(i, ()) and (i, t) not in interpreter_taken)
            shared = {t for t in shared if helpers[t]}
        if shared:
            pairs.append(Opening(c, tuple(sorted(shared)), {t: helpers[t] for t in shared} if c.interpreters is not None else {}))
    return Openings(pairs, room, tables_left, locked_busy)
