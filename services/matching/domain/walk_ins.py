"""Who may have a meeting agreed on the day, and where it fits.

A walk-in is between two people: a seller (``seller_id``) and a buyer (``buyer_id``), each an
approved participant of the meet (as for meeting requests), who have no meeting at the meet
yet in either order. It goes in the first slot still to come (or the slot asked for) where
both are free and a table is; a pair who share no language also needs an interpreter of
the pool who covers them (works the slot and speaks a language of each side,
``interpreting.covers``) and has no other meeting in it, first by name as a hand-over picks.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from services.matching.domain.interpreting import Assignment, Interpreter, covers, occupied
from services.matching.domain.publication import free_place

__all__ = ["WrongPair", "check_pair", "have_met", "place"]


class WrongPair(ValueError):
    """The pair named cannot meet; ``field`` names the side at fault (``seller_id``, ``buyer_id``)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def check_pair(seller_id: str, buyer_id: str, roles: Mapping[str, str]) -> None:
    """Nothing if ``seller_id`` and ``buyer_id`` are two people, a seller and a buyer, given
    ``roles``: participant id -> role of the meet's approved participants (others absent).
    Raises WrongPair."""
    if seller_id == buyer_id:
        raise WrongPair(f"{buyer_id} is also the seller: a meeting is between two people.", "buyer_id")
    for field, who, role in (("seller_id", seller_id, "seller"), ("buyer_id", buyer_id, "buyer")):
        if who not in roles:
            raise WrongPair(f"{who} is not an approved participant of this meet.", field)
        if roles[who] != role:
            raise WrongPair(f"{who} is a {roles[who]}, not a {role}: meetings are between a seller and a buyer.", field)


def have_met(placements: Iterable[Mapping[str, Any]], seller_id: str, buyer_id: str) -> bool:
    """Whether the live meetings' ``placements`` hold a meeting of the two, in either order."""
    return any({p["seller_id"], p["buyer_id"]} == {seller_id, buyer_id} for p in placements)


def place(
    placements: list[dict[str, Any]], slot_ids: list[str], tables: int, seller: tuple[str, Iterable[str]], buyer: tuple[str, Iterable[str]],
    pool: Iterable[Interpreter] = (), slot_id: str | None = None, begun: frozenset[str] | set[str] = frozenset(),
) -> tuple[int, str, int, str | None] | None:
    """(slot index, slot id, table, interpreter id or None) of the walk-in of ``seller`` and
    ``buyer`` (each ``(id, language codes)``) in the first slot (or ``slot_id`` only) not
    ``begun`` where both and a table are free (``publication.free_place``) and, when they
    share no language, an interpreter of ``pool`` covers them and has no meeting in the
    slot (interpreting it or meeting in it, ``interpreting.occupied``); None if there is none."""
    (seller_id, seller_languages), (buyer_id, buyer_languages) = seller, buyer
    shared = bool(set(seller_languages) & set(buyer_languages))
    bridges = sorted(pool, key=lambda i: (i.name, i.interpreter_id))
    busy = occupied(placements)
    for candidate in slot_ids:
        if slot_id and candidate != slot_id:
            continue
        found = free_place(placements, slot_ids, tables, seller_id, buyer_id, candidate, begun)
        if found is None:
            continue
        if shared:
            return (*found, None)
        meeting = Assignment("", candidate, frozenset(seller_languages), frozenset(buyer_languages))
        interpreter = next((i for i in bridges if covers(i, meeting) and (i.interpreter_id, candidate) not in busy), None)
        if interpreter is not None:
            return (*found, interpreter.interpreter_id)
    return None
