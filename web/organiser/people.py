"""Names of participants for the organiser's tables: registration's staff lists
(``GET /v1/sellers``, ``/v1/buyers``, newest first), read only until every id asked for is found."""
from __future__ import annotations

from typing import Iterable

from web.organiser.session import get

ROLES = ("sellers", "buyers")
MAX_PAGES = 20


def label(participant: dict) -> str:
    """``Name (Organisation)``, or the name alone."""
    name, organisation = participant.get("name") or participant["id"], participant.get("organisation")
    return f"{name} ({organisation})" if organisation and organisation != name else name


def names(ids: Iterable[str]) -> dict[str, str]:
    """Participant id -> label for each of ``ids`` registration lists (the newest
    ``MAX_PAGES`` pages of each side); an id not found is left out (shown as the id)."""
    wanted, found = set(ids), {}
    for role in ROLES:
        cursor = None
        for _page in range(MAX_PAGES):
            if not wanted - found.keys():
                return found
            answer = get("registration", f"/v1/{role}", params={"limit": 100, "sort": "-registered_at", **({"cursor": cursor} if cursor else {})})
            found.update({p["id"]: label(p) for p in answer["items"] if p["id"] in wanted})
            cursor = answer.get("next_cursor")
            if not cursor:
                break
    return found

