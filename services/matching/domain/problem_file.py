"""The scheduler's file format (``bsm schedule solve PROBLEM.json``), read and written.

Problem::

    {"slots": [labels], "days": [[first_slot, last_slot], ...], "tables": N,
     "participants": {"<id>": {"available": [slot indexes], "max_meetings": k}},
     "meetings": [{"a": "<id>", "b": "<id>", "value": v, "required": true|false,
                   "slots": [allowed slot indexes, optional]}],
     "locked": [{"a", "b", "slot", "table"}], "time_limit_s": 10,
     "objectives": ["required", "value", "breaks"]}

Result::

    {"status": "optimal"|"feasible"|"infeasible", "meetings": [{"a", "b", "slot", "table"}],
     "unscheduled": [{"a", "b", "reason"}], "value", "value_bound", "breaks", "breaks_bound",
     "idle_slots", "seconds"}

``days`` defaults to one day of every slot, ``available`` to every slot, ``max_meetings``
to the number of slots, ``value`` to 1, ``required`` to false, ``locked`` to none,
``table`` of a lock to any and ``objectives`` (their order, most important first, see
``objectives.py``) to required, value, breaks. Slot indexes count from 0 and tables from 1. A pair is listed
once (either order). ``a`` takes the seller's part of the platform's model (``b`` keeps a
table where there are enough). Reasons are ``left_out``'s codes; an infeasible problem
(locks that break a rule) has one ``unscheduled`` entry per lock with the reason in words.
"""
from __future__ import annotations

from typing import Any

from services.matching.domain.objectives import order_of
from services.matching.domain.scheduling import Candidate, Meeting, Problem
from services.matching.domain.solver import Solution

__all__ = ["BadProblem", "problem_from", "result_of", "infeasible_result"]


class BadProblem(ValueError):
    """The problem document is malformed; the message names the field."""


def _int_list(value: Any, where: str, limit: int) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < limit for v in value):
        raise BadProblem(f"{where}: a list of slot indexes from 0 to {limit - 1}")
    return value


def problem_from(doc: Any) -> tuple[Problem, float | None]:
    """The problem of a parsed JSON document and its ``time_limit_s`` (None if absent).
    Raises ``BadProblem`` naming the field at fault."""
    if not isinstance(doc, dict):
        raise BadProblem("the problem must be a JSON object")
    slots = doc.get("slots")
    if not isinstance(slots, list) or not slots:
        raise BadProblem("slots: a non-empty list of labels")
    n = len(slots)
    tables = doc.get("tables")
    if not isinstance(tables, int) or isinstance(tables, bool) or tables < 1:
        raise BadProblem("tables: a whole number of at least 1")
    days = doc.get("days") or [[0, n - 1]]
    if not isinstance(days, list) or not all(isinstance(d, list) and len(d) == 2 and _int_list(d, "days", n) and d[0] <= d[1] for d in days):
        raise BadProblem(f"days: a list of [first_slot, last_slot] pairs within 0..{n - 1}")
    participants = doc.get("participants")
    if not isinstance(participants, dict) or not participants:
        raise BadProblem("participants: an object of participant ids")
    availability, caps = {}, {}
    for who, details in participants.items():
        if not isinstance(details, dict):
            raise BadProblem(f"participants.{who}: an object")
        availability[who] = frozenset(_int_list(details.get("available", list(range(n))), f"participants.{who}.available", n))
        cap = details.get("max_meetings", n)
        if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
            raise BadProblem(f"participants.{who}.max_meetings: a whole number of at least 0")
        caps[who] = cap
    candidates = [_meeting(m, i, participants, n) for i, m in enumerate(doc.get("meetings") or [])]
    seen: set[frozenset] = set()
    for i, c in enumerate(candidates):
        if frozenset(c.pair) in seen:
            raise BadProblem(f"meetings[{i}]: the pair {c.seller_id}/{c.buyer_id} is listed twice")
        seen.add(frozenset(c.pair))
    locked = [_lock(lock, i, candidates, participants, n) for i, lock in enumerate(doc.get("locked") or [])]
    limit = doc.get("time_limit_s")
    if limit is not None and (not isinstance(limit, (int, float)) or isinstance(limit, bool) or limit <= 0):
        raise BadProblem("time_limit_s: a number of seconds above 0")
    objectives = doc.get("objectives")
    try:
        if objectives is not None and not (isinstance(objectives, list) and all(isinstance(o, str) for o in objectives)):
            raise ValueError("a list of objective names")
        order = order_of(objectives)
    except ValueError as exc:
        raise BadProblem(f"objectives: {exc}") from None
    problem = Problem(list(map(str, slots)), tables, availability, candidates, caps, n, locked=locked, days=[tuple(d) for d in days],
                      objectives=order)
    return problem, limit


def _meeting(m: Any, i: int, participants: dict, n: int) -> Candidate:
    where = f"meetings[{i}]"
    if not isinstance(m, dict):
        raise BadProblem(f"{where}: an object")
    for side in ("a", "b"):
        if m.get(side) not in participants:
            raise BadProblem(f"{where}.{side}: a participant id")
    if m["a"] == m["b"]:
        raise BadProblem(f"{where}: a meeting needs two different participants")
    value = m.get("value", 1)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise BadProblem(f"{where}.value: a number")
    required = m.get("required", False)
    if not isinstance(required, bool):
        raise BadProblem(f"{where}.required: true or false")
    window = m.get("slots")
    window = None if window is None else frozenset(_int_list(window, f"{where}.slots", n))
    return Candidate(m["a"], m["b"], float(value), "must_meet" if required else "recommended", required=required, slots=window)


def _lock(lock: Any, i: int, candidates: list[Candidate], participants: dict, n: int) -> Meeting:
    where = f"locked[{i}]"
    if not isinstance(lock, dict) or lock.get("a") not in participants or lock.get("b") not in participants:
        raise BadProblem(f"{where}: an object with participant ids a and b")
    slot, table = lock.get("slot"), lock.get("table") or 0
    if not isinstance(slot, int) or isinstance(slot, bool) or not 0 <= slot < n:
        raise BadProblem(f"{where}.slot: a slot index from 0 to {n - 1}")
    if not isinstance(table, int) or isinstance(table, bool) or table < 0:
        raise BadProblem(f"{where}.table: a table number from 1")
    listed = next((c for c in candidates if set(c.pair) == {lock["a"], lock["b"]}), None)
    a, b = listed.pair if listed else (lock["a"], lock["b"])
    return Meeting(a, b, slot, table, listed.value if listed else 0.0, "locked", locked=True)


def result_of(solution: Solution) -> dict[str, Any]:
    """The result document of a solution (names exactly as the format above)."""
    return {
        "status": solution.status,
        "meetings": [{"a": m.seller_id, "b": m.buyer_id, "slot": m.slot, "table": m.table} for m in solution.schedule.meetings],
        "unscheduled": [{"a": lo.candidate.seller_id, "b": lo.candidate.buyer_id, "reason": lo.reason} for lo in solution.left_out],
        "value": solution.schedule.value,
        "value_bound": solution.value_bound,
        "breaks": solution.breaks,
        "breaks_bound": solution.breaks_bound,
        "idle_slots": solution.idle_slots,
        "seconds": solution.seconds,
    }


def infeasible_result(problem: Problem, why: str, seconds: float) -> dict[str, Any]:
    """The result document of a problem whose locks cannot all be kept."""
    return {
        "status": "infeasible", "meetings": [],
        "unscheduled": [{"a": m.seller_id, "b": m.buyer_id, "reason": f"infeasible locks: {why}"} for m in problem.locked],
        "value": 0, "value_bound": 0, "breaks": 0, "breaks_bound": 0, "idle_slots": 0, "seconds": round(seconds, 3),
    }
