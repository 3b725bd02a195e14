"""The places a meeting or a lock takes, named so that no two can hold one place.

A place is a person, a table or an interpreter in one slot of one meet; its key is the
``_id`` of the claim document that holds it (see ``services.matching.occupancy``), so the
database's unique ``_id`` refuses a second holder whatever the concurrency. Each key comes
with the words that tell someone refused what was taken.
"""
from __future__ import annotations

from typing import Any


def place_key(meet_id: str, slot_id: str, kind: str, holder: Any) -> str:
    """The key of one place: ``kind`` is ``person``, ``table`` or ``interpreter``."""
    return f"{meet_id}:{slot_id}:{kind}:{holder}"


def meeting_places(meet_id: str, meeting: dict[str, Any]) -> dict[str, str]:
    """Key -> description of what a meeting (``slot_id``, ``seller_id``, ``buyer_id``,
    ``table`` from 1, optional ``interpreter``) occupies: both people, its table and its
    interpreter (``interpreter_places``), in its slot."""
    slot = meeting["slot_id"]
    places = {
        place_key(meet_id, slot, "person", who): f"{who} already has a meeting in slot {slot}" for who in (meeting["seller_id"], meeting["buyer_id"])
    }
    places[place_key(meet_id, slot, "table", meeting["table"])] = f"table {meeting['table']} is taken in slot {slot}"
    if meeting.get("interpreter"):
        places.update(interpreter_places(meet_id, meeting, meeting["interpreter"]))
    return places


def interpreter_places(meet_id: str, meeting: dict[str, Any], interpreter: str) -> dict[str, str]:
    """Key -> description of what ``interpreter`` takes to interpret ``meeting`` (its
    ``slot_id``, ``seller_id``, ``buyer_id``): their place as an interpreter and their place
    as a person in the slot, so nobody interprets where they hold a meeting of their own,
    or the reverse, whatever the concurrency (the person place is left out for one of the
    meeting's own two sides, whose place the meeting holds already)."""
    slot = meeting["slot_id"]
    places = {place_key(meet_id, slot, "interpreter", interpreter): f"interpreter {interpreter} is busy in slot {slot}"}
    if interpreter not in (meeting["seller_id"], meeting["buyer_id"]):
        places[place_key(meet_id, slot, "person", interpreter)] = f"{interpreter} already has a meeting in slot {slot}"
    return places


def lock_places(meet_id: str, lock: dict[str, Any]) -> dict[str, str]:
    """Key -> description of what a lock (``seller_id``, ``buyer_id``, ``slot_id``, optional
    ``table``) takes among the meet's locks: the pair (a pair has one lock), both people
    in the slot, and the table if it names one."""
    slot, seller, buyer = lock["slot_id"], lock["seller_id"], lock["buyer_id"]
    places = {f"{meet_id}:pair:{seller}:{buyer}": f"{seller}/{buyer} is already locked elsewhere: remove that lock first"}
    for who in (seller, buyer):
        places[place_key(meet_id, slot, "person", who)] = f"{who} is already locked into a meeting in slot {slot}"
    if lock.get("table"):
        places[place_key(meet_id, slot, "table", lock["table"])] = f"table {lock['table']} is already locked in slot {slot}"
    return places


def lock_holder(lock: dict[str, Any]) -> str:
    """The identity of a lock as the holder of its places: pair, slot and table."""
    return f"{lock['seller_id']}|{lock['buyer_id']}|{lock['slot_id']}|{lock.get('table') or ''}"
