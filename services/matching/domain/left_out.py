"""Why a pair is not in the schedule, in the order an organiser would look.

Reasons (``LeftOut.reason``):
    had_meeting         the pair had their one meeting of the meet (cancelled, or held
                        before the meet changed under it)
    no_thanks           one side said no thanks
    no_shared_language  they share no language and no interpreter of the pool covers both
    availability        they share no available slot (within the meeting's window)
    no_interpreter      they need an interpreter and none is on duty in a slot they share
    caps                one side has their maximum number of meetings
    tables              every slot both are free in has all its tables taken
    interpreters_busy   every slot both are free in has every suitable interpreter busy
    not_reached         a slot is still open to them: the solver ran out of time first
    busy                at every slot they share, one of them is in another meeting
"""
from __future__ import annotations

from dataclasses import dataclass

from services.matching.domain.scheduling import Board, Candidate

__all__ = ["LeftOut", "NOT_SCHEDULABLE", "why_left_out"]

NOT_SCHEDULABLE = frozenset({"no_thanks", "had_meeting"})
"""Reasons that no schedule of this problem could overcome (the pair may not meet)."""


@dataclass(frozen=True)
class LeftOut:
    """A pair left out, the reason (one of the module's codes) and a sentence for people."""

    candidate: Candidate
    reason: str
    detail: str


def why_left_out(board: Board, candidate: Candidate) -> LeftOut:
    """The first reason that explains why ``candidate`` is not on ``board`` (the final schedule)."""
    problem, (seller, buyer) = board.problem, candidate.pair
    if candidate.pair in problem.had_meeting:
        return LeftOut(candidate, "had_meeting", f"{seller}/{buyer}: their meeting {problem.had_meeting[candidate.pair]}, and a pair has one meeting per meet")
    if candidate.pair in problem.excluded:
        return LeftOut(candidate, "no_thanks", f"{seller}/{buyer}: a no-thanks pair")
    if candidate.interpreters is not None and not candidate.interpreters:
        return LeftOut(candidate, "no_shared_language", f"{seller} and {buyer} share no language and no interpreter of the pool covers both")
    shared = board.mask.get(seller, 0) & board.mask.get(buyer, 0) & board.window.get(candidate.pair, -1)
    if not shared:
        return LeftOut(candidate, "availability", f"{seller} and {buyer} share no available slot" + (" in the meeting's window" if candidate.slots is not None else ""))
    if candidate.interpreters is not None and not shared & board.interpreter_mask_of(candidate.interpreters):
        return LeftOut(candidate, "no_interpreter", f"no interpreter who covers {seller} and {buyer} is on duty in a slot they share")
    for who in candidate.pair:
        if board.count.get(who, 0) >= problem.cap(who):
            return LeftOut(candidate, "caps", f"{who} has their maximum of {problem.cap(who)} meetings")
    both_free = shared & ~board.busy.get(seller, 0) & ~board.busy.get(buyer, 0)
    if both_free:
        if not both_free & board.free_slots(seller, buyer):
            return LeftOut(candidate, "tables", f"every slot {seller} and {buyer} are both free in has all {problem.tables} tables taken")
        if candidate.interpreters is not None and not board.free_slots(seller, buyer, candidate.interpreters):
            return LeftOut(candidate, "interpreters_busy", f"every slot {seller} and {buyer} are both free in has every suitable interpreter busy")
        return LeftOut(candidate, "not_reached", f"{seller} and {buyer} could still meet: the solver ran out of time before placing them")
    return LeftOut(candidate, "busy", f"at every slot they share, {seller} or {buyer} is in another meeting")
