"""A published schedule as each person sees it: which meetings are theirs, and the lines
of their schedule message. Nothing here does I/O."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

Pair = tuple[str, str]
LINE_FIELDS = ("day", "start", "end", "table", "interpreter", "interpreter_name", "timezone")


def pairs_by_person(sellers: Iterable[Mapping[str, Any]]) -> dict[str, list[Pair]]:
    """Each person's meetings in a publication, as ``(seller_id, buyer_id)`` pairs, from
    ``[{seller_id, buyer_ids}]``: a seller has one per buyer listed, a buyer one per seller
    who lists them. Persons and pairs in a stable order."""
    mine: dict[str, set[Pair]] = {}
    for entry in sellers:
        for buyer in entry["buyer_ids"]:
            pair = (entry["seller_id"], buyer)
            mine.setdefault(entry["seller_id"], set()).add(pair)
            mine.setdefault(buyer, set()).add(pair)
    return {person: sorted(pairs) for person, pairs in sorted(mine.items())}


def with_news(pairs_by: Mapping[str, list[Pair]], told: set[Pair]) -> dict[str, list[Pair]]:
    """The persons of a later publication (``pairs_by``, from ``pairs_by_person``) who have a
    meeting in it that the meet's first publication (``told``: its pairs) did not hold,
    with all their pairs: the others were sent this schedule already, and hear of each
    change to it on its own (a move, a cancellation)."""
    return {person: pairs for person, pairs in pairs_by.items() if any(pair not in told for pair in pairs)}


def sellers_of(meetings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``[{seller_id, buyer_ids}]`` of ``meetings`` (each with ``seller_id``, ``buyer_id``)."""
    buyers: dict[str, set[str]] = {}
    for meeting in meetings:
        buyers.setdefault(meeting["seller_id"], set()).add(meeting["buyer_id"])
    return [{"seller_id": seller, "buyer_ids": sorted(ids)} for seller, ids in sorted(buyers.items())]


def other_side(pair: Pair, person: str) -> str:
    seller, buyer = pair
    return buyer if person == seller else seller


def schedule_lines(meetings: Iterable[Mapping[str, Any]], person: str, names: Mapping[str, str],
                   contacts: Mapping[str, str | None] | None = None) -> list[dict[str, Any]]:
    """The lines of ``person``'s schedule: each meeting (a stored meeting document) with
    ``meeting_id``, day, start, end, table, interpreter (id and name), time zone, ``with`` (the other
    side's name from ``names``) and ``contact`` (the other side's phone and email from
    ``contacts``, None when they do not share them: a published meeting is confirmed), by
    day, start and id."""
    lines = []
    for meeting in meetings:
        other = other_side((meeting["seller_id"], meeting["buyer_id"]), person)
        lines.append({"meeting_id": meeting["_id"], **{k: meeting.get(k) for k in LINE_FIELDS}, "with": names.get(other, other),
                      "contact": (contacts or {}).get(other)})
    return sorted(lines, key=lambda line: (line["day"], line["start"], line["meeting_id"]))
