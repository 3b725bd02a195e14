"""Who interprets a published meeting when its interpreter's slots or languages change, or
they leave the pool.

An interpreter covers a meeting when they work its slot and speak a language of each side
(the rule the draft plans with). When an interpreter is changed or removed, each of their
meetings still to come that they no longer cover is handed to another interpreter of the
pool who covers it and has no other meeting in that slot, first by name; meetings that have
begun keep whoever interpreted them (history). What no one can take is named, so the change
can be refused as a whole rather than leave a meeting without its interpreter.

The same hand-over serves a pair who no longer share a language (one side gave it up after
publication) and whom no interpreter of theirs bridges: a free interpreter of the pool who
covers them takes the meeting, else it is cancelled (``NO_SHARED_LANGUAGE``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

__all__ = ["Interpreter", "Handover", "NO_SHARED_LANGUAGE", "bridges", "covers", "hand_over", "occupied", "understood"]

NO_SHARED_LANGUAGE = "no_shared_language"
"""Why a published meeting is cancelled whose two sides share no language and no interpreter can bridge."""


@dataclass(frozen=True)
class Interpreter:
    """One interpreter of the pool: id, name, language codes (in the pool's order) and the
    slot ids they work."""

    interpreter_id: str
    name: str
    languages: tuple[str, ...]
    slots: frozenset[str]


@dataclass(frozen=True)
class Assignment:
    """A published meeting an interpreter holds: its id, slot id and each side's languages."""

    meeting_id: str
    slot_id: str
    seller_languages: frozenset[str]
    buyer_languages: frozenset[str]


@dataclass
class Handover:
    """The plan: meeting id -> the interpreter taking it over (``moves``), the meetings the
    interpreter keeps (``kept``) and those no one can take (``uncovered``)."""

    moves: dict[str, Interpreter] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)


def bridges(spoken: Iterable[str], seller_languages: Iterable[str], buyer_languages: Iterable[str]) -> bool:
    """Whether someone speaking ``spoken`` speaks a language of each side (the rule by
    which an interpreter can take a pair who share no language)."""
    spoken = set(spoken)
    return bool(spoken & set(seller_languages)) and bool(spoken & set(buyer_languages))


def understood(meeting: Assignment, interpreter_languages: Iterable[str] | None) -> bool:
    """Whether the two sides of ``meeting`` share a language, or its interpreter (who speaks
    ``interpreter_languages``; None: it has none) ``bridges`` them."""
    if meeting.seller_languages & meeting.buyer_languages:
        return True
    return interpreter_languages is not None and bridges(interpreter_languages, meeting.seller_languages, meeting.buyer_languages)


def covers(interpreter: Interpreter, meeting: Assignment) -> bool:
    """Whether ``interpreter`` works the meeting's slot and ``bridges`` its two sides."""
    return meeting.slot_id in interpreter.slots and bridges(interpreter.languages, meeting.seller_languages, meeting.buyer_languages)


def occupied(placements: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """(person id, slot id) of everyone in the given published meetings (``seller_id``,
    ``buyer_id``, optional ``interpreter``, ``slot_id``): an interpreter is not free in a
    slot where they meet someone themselves, whichever part they play there."""
    return {(p[who], p["slot_id"]) for p in placements for who in ("seller_id", "buyer_id", "interpreter") if p.get(who)}


def hand_over(meetings: Iterable[Assignment], now: Interpreter | None, others: Iterable[Interpreter],
              busy: set[tuple[str, str]]) -> Handover:
    """The plan for an interpreter's meetings still to come, ``now`` being their new details
    (None: they leave the pool). ``others``: the rest of the pool; ``busy``: (person id,
    slot id) of everyone in a live published meeting, interpreting it or meeting in it, so
    nobody is given a meeting in a slot they are already in one."""
    plan, taken = Handover(), set(busy)
    pool = sorted(others, key=lambda i: (i.name, i.interpreter_id))
    for meeting in sorted(meetings, key=lambda m: (m.slot_id, m.meeting_id)):
        if now is not None and covers(now, meeting):
            plan.kept.append(meeting.meeting_id)
            continue
        substitute = next((i for i in pool if covers(i, meeting) and (i.interpreter_id, meeting.slot_id) not in taken), None)
        if substitute is None:
            plan.uncovered.append(meeting.meeting_id)
        else:
            plan.moves[meeting.meeting_id] = substitute
            taken.add((substitute.interpreter_id, meeting.slot_id))
    return plan
