"""How a reviewed draft is published in chunks, and where a meeting agreed on the day fits.

A draft is fixed once its publication begins, so the meetings it still has to publish and
their split into chunks are the same on every attempt: a retry finds each chunk under
the same id and completes only what is missing.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from shared.timezones import wall_clock

from services.matching.domain.interpreting import occupied

CHUNK_SIZE = 250


def to_publish(draft_meetings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The draft's meetings that were not already published when it was built."""
    return [m for m in draft_meetings if not m.get("published")]


def chunks(meetings: list[dict[str, Any]], size: int = CHUNK_SIZE) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(number, meetings) of consecutive chunks of at most ``size``, in draft order.
    Raises ValueError if ``size`` is not positive."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    for number, start in enumerate(range(0, len(meetings), size)):
        yield number, meetings[start:start + size]


def chunk_id(meet_id: str, draft_id: str, number: int) -> str:
    return f"{meet_id}:{draft_id}:{number}"


def off_the_meet(meet_id: str, meetings: list[dict[str, Any]], slots: list[dict[str, Any]], tables: int) -> dict[str, str]:
    """Meeting id -> why, for the draft ``meetings`` (``seller_id``, ``buyer_id``,
    ``slot_id``, ``table``) that are outside the meet's ``slots`` or ``tables``: the meet
    changed after the draft was built."""
    known = {slot["id"] for slot in slots}
    found = {}
    for m in meetings:
        if m["slot_id"] not in known:
            found[f"{meet_id}:{m['seller_id']}:{m['buyer_id']}"] = f"slot {m['slot_id']} is no longer one of the meet's"
        elif m["table"] > tables:
            found[f"{meet_id}:{m['seller_id']}:{m['buyer_id']}"] = f"the meet no longer has table {m['table']}"
    return found


def too_late(meet_id: str, meetings: list[dict[str, Any]], begun: set[str]) -> dict[str, str]:
    """Meeting id -> why, for the draft ``meetings`` (``seller_id``, ``buyer_id``,
    ``slot_id``) in a slot of ``begun`` (``started_slots``): the draft was built before
    they began, and a meeting published now would be in the past."""
    return {f"{meet_id}:{m['seller_id']}:{m['buyer_id']}": f"slot {m['slot_id']} has begun" for m in meetings if m["slot_id"] in begun}


def placed(meetings: list[dict[str, Any]], slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The draft ``meetings`` still in one of the meet's ``slots``, each with that slot's
    index as the meet lists it now."""
    position = {slot["id"]: i for i, slot in enumerate(slots)}
    return [{**m, "slot_index": position[m["slot_id"]]} for m in meetings if m["slot_id"] in position]


def started_slots(slots: list[dict[str, Any]], zone: str, now: datetime) -> set[str]:
    """The ids of the meet's ``slots`` (``{"id", "day": ISO date, "start": "HH:MM"}``, in the
    venue's IANA ``zone``) that have begun by ``now`` (aware): nothing new is placed in
    them on the day (a walk-in or a repair's fill-in would be late before it is told)."""
    return {s["id"] for s in slots if wall_clock(s["day"], s["start"], zone) <= now}


def free_place(
    placements: list[dict[str, Any]], slot_ids: list[str], tables: int, seller_id: str, buyer_id: str, slot_id: str | None = None,
    begun: frozenset[str] | set[str] = frozenset(),
) -> tuple[int, str, int] | None:
    """(slot index, slot id, table) of the first slot (or ``slot_id`` only) where both are
    free (in no meeting, nor interpreting one: ``interpreting.occupied``) and a table is,
    given the live meetings' ``placements``, leaving out the slots that have ``begun``;
    None if there is none."""
    for index, candidate in enumerate(slot_ids):
        if (slot_id and candidate != slot_id) or candidate in begun:
            continue
        here = [p for p in placements if p["slot_id"] == candidate]
        busy = {who for who, _ in occupied(here)}
        taken = {p["table"] for p in here}
        if seller_id in busy or buyer_id in busy or len(taken) >= tables:
            continue
        return index, candidate, next(t for t in range(1, tables + 1) if t not in taken)
    return None
