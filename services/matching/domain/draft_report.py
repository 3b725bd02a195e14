"""What a draft tells the organiser besides its meetings: how good it is (status, proven
bounds, breaks, idle slots), how many approved participants it uses, who got no meeting,
and every candidate pair it left out with the reason (see ``left_out``)."""
from __future__ import annotations

from collections import Counter
from typing import Any

from services.matching.domain.scheduling import Problem
from services.matching.domain.solver import Solution, fairness

__all__ = ["draft_stats", "draft_report"]


def draft_stats(solution: Solution, problem: Problem) -> dict[str, Any]:
    """The draft's figures (added to its ``stats``): ``status`` (optimal | feasible),
    ``value_bound``, ``breaks``, ``breaks_bound``, ``idle_slots``, ``method``,
    ``solve_seconds``, ``participants_approved``, ``participants_used`` (with a meeting),
    ``participants_without_meetings``, ``meetings_per_person`` (min/median/max over the
    approved) and ``left_out_by_reason`` (reason -> pairs)."""
    approved = sorted(problem.availability)
    used = {who for m in solution.schedule.meetings for who in m.pair}
    return {
        "status": solution.status,
        "value_bound": solution.value_bound,
        "breaks": solution.breaks,
        "breaks_bound": solution.breaks_bound,
        "idle_slots": solution.idle_slots,
        "method": solution.method,
        "solve_seconds": solution.seconds,
        "participants_approved": len(approved),
        "participants_used": len(used & set(approved)),
        "participants_without_meetings": len(set(approved) - used),
        "meetings_per_person": fairness(solution.schedule.meetings, approved),
        "left_out_by_reason": dict(sorted(Counter(lo.reason for lo in solution.left_out).items())),
    }


def draft_report(solution: Solution, problem: Problem) -> dict[str, Any]:
    """The draft's lists: ``left_out`` (every candidate pair not scheduled: seller, buyer,
    kind, value, reason, detail), ``without_meetings`` (approved participants with none)
    and ``per_person`` (participant -> meetings, breaks, idle slots, for those with meetings)."""
    counts = Counter(who for m in solution.schedule.meetings for who in m.pair)
    return {
        "left_out": [
            {"seller_id": lo.candidate.seller_id, "buyer_id": lo.candidate.buyer_id, "kind": lo.candidate.kind,
             "value": lo.candidate.value, "reason": lo.reason, "detail": lo.detail}
            for lo in solution.left_out
        ],
        "without_meetings": sorted(set(problem.availability) - set(counts)),
        "per_person": {
            who: {"meetings": counts[who], "breaks": solution.breaks_per_person.get(who, 0), "idle_slots": solution.idle_per_person.get(who, 0)}
            for who in sorted(counts)
        },
    }
