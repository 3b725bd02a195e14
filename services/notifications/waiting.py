"""Work parked until something notifications does not know yet arrives.

Events reach notifications in any order across keys: a meeting before the registration
of one of its people, a schedule before some of its meetings. Such work is parked under
the key of the first thing it waits for (``participant:<id>``, ``meet:<id>``,
``pair:<meet>|<seller>|<buyer>``), in arrival order, and taken up again when that thing is
recorded; it may then park again under the next thing it lacks.

Two small collections, as large as the work waiting and never the history: ``waiting``
holds an item per parked piece of work, ``{_id: "<key>#<event id>#<part>", key, event,
part}`` (``event`` the whole event, so its id and correlation id are kept; ``part`` what
of it is still to do, or None for all of it), and ``waiting_for`` one document per key,
``{_id: key, ids: [item ids in arrival order]}``. Parking twice (a redelivery) leaves one
item; an item is deleted only after its work is done.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any, Callable, Iterator

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import correlation
from shared.consumer import TRANSIENT
from shared.envelope import Event

log = logging.getLogger(__name__)

WAITING, WAITING_FOR = "waiting", "waiting_for"


def participant_key(participant_id: str) -> str:
    return f"participant:{participant_id}"


def meet_key(meet_id: str) -> str:
    return f"meet:{meet_id}"


def pair_key(meet_id: str, seller_id: str, buyer_id: str) -> str:
    """What waits for the meeting of a seller and a buyer at a meet (a pair meets once)."""
    return f"pair:{meet_id}|{seller_id}|{buyer_id}"


class WaitingRoom:
    def __init__(self, db: Database):
        self.items, self.keys = db[WAITING], db[WAITING_FOR]

    def park(self, key: str, event: Event, part: dict[str, Any] | None = None) -> None:
        """Keep ``event`` (or the ``part`` of it still to do) until ``key`` is known."""
        item_id = f"{key}#{event.id}#{_part_id(part)}"
        try:
            self.items.insert_one({"_id": item_id, "key": key, "event": asdict(event), "part": part})
        except DuplicateKeyError:
            pass
        self.keys.update_one({"_id": key}, {"$addToSet": {"ids": item_id}}, upsert=True)

    def waiting(self, key: str) -> Iterator[tuple[str, Event, dict[str, Any] | None]]:
        """``(item id, event, part)`` of what waits for ``key``, in the order it was parked."""
        for item_id in (self.keys.find_one({"_id": key}) or {}).get("ids", []):
            item = self.items.find_one({"_id": item_id})
            if item is not None:
                yield item_id, Event(**item["event"]), item.get("part")

    def done(self, key: str, item_id: str) -> None:
        """The item's work is done (or it parked again under another key): forget it."""
        self.items.delete_one({"_id": item_id})
        self.keys.update_one({"_id": key}, {"$pull": {"ids": item_id}})
        self.keys.delete_one({"_id": key, "ids": {"$size": 0}})

    def size(self) -> int:
        return self.items.estimated_document_count()


class Parking:
    """Parks work until what it needs is known, and takes it up when it is: ``known(key)``
    says whether a key is known, ``replay(event, part)`` does parked work."""

    def __init__(self, room: WaitingRoom, known: Callable[[str], bool], replay: Callable[[Event, dict[str, Any] | None], None]):
        self.room, self.known, self.replay = room, known, replay

    def wait(self, key: str, event: Event, part: dict[str, Any] | None = None) -> None:
        """Park the event (or ``part`` of it) until ``key`` is known; if it became known
        meanwhile (another consumer recorded it), take up what waits for it at once."""
        self.room.park(key, event, part)
        if self.known(key):
            self.release(key)

    def release(self, key: str) -> None:
        """Do the work parked for ``key``, now known, in the order it was parked, each under
        its event's correlation id. Work that fails stays parked, and once the rest is done
        a RuntimeError names it, so the event that brought ``key`` is retried (and
        dead-lettered with the reason if it persists). Transient failures propagate."""
        failed = []
        for item_id, parked, part in self.room.waiting(key):
            try:
                with correlation.correlated(parked.correlation_id, parked.id):
                    self.replay(parked, part)
            except TRANSIENT:
                raise
            except Exception as exc:
                log.exception("parked work failed", extra={"event_id": parked.id, "event_type": parked.type, "waited_for": key})
                failed.append(f"{parked.type} {parked.id}: {exc!r}")
                continue
            self.room.done(key, item_id)
        if failed:
            raise RuntimeError(f"work parked for {key} failed: {'; '.join(failed)}")


def _part_id(part: dict[str, Any] | None) -> str:
    if not part:
        return "all"
    return ",".join(f"{k}={part[k]}" for k in sorted(part) if isinstance(part[k], str))
