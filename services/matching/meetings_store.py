"""Published meetings, the per-meet list of them, and the follow-ups due-queue.

- ``meetings/<meet>:<seller>:<buyer>``: one document per meeting (outcome, LoI, version).
- ``publications/<chunk id>``: a few hundred meetings' placements (``meetings``) and, in its
  outbox, their ``meeting.scheduled`` events: one insert per chunk, not three writes per
  meeting. A meeting added alone (walk-in, repair) gets a chunk of its own without events
  (its own document carries its event).
- ``meeting_lists/<meet>``: the meet's chunk ids, its cancelled meeting ids, the meet
  layout its meetings were last brought in line with (``followed``) and the
  placements of meetings changed since their chunk was written (``moved``, meeting id ->
  placement: a new table or slot index after a meet edit, another interpreter), so a meet's
  or a person's meetings are found by ``_id`` reads only.
- ``follow_ups_due/<meeting id>``: the next LoI follow-up date of each meeting that has one
  pending; the worker reads this queue, which shrinks as follow-ups are announced.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared import correlation, outbox
from shared.envelope import Event
from shared.pagination import MAX_LIMIT, BadCursor, Page, decode_cursor, encode_cursor, list_scope

MEETINGS, PUBLICATIONS, MEETING_LISTS, FOLLOW_UPS_DUE = "meetings", "publications", "meeting_lists", "follow_ups_due"
HIDDEN = {outbox.OUTBOX: 0, outbox.PENDING: 0}
PLACEMENT = ("meeting_id", "seller_id", "buyer_id", "slot_id", "slot_index", "table", "kind", "value", "interpreter")
READERS = 4
DUPLICATE_KEY = 11000


def field_key(*parts: str) -> str:
    """A document key made of ids (no ``.``, no leading ``$``), for per-meet maps."""
    return "|".join(parts).replace(".", "\uff0e").replace("$", "\uff04")


def by_ids(collection: Collection, ids: Iterable[Any], projection: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The documents of ``ids`` that exist, in the order given, each read by ``_id`` (a few
    readers at once: FerretDB answers only single-``_id`` filters from its index)."""
    ids = list(ids)
    if len(ids) < 8:
        found = [collection.find_one({"_id": i}, projection) for i in ids]
    else:
        with ThreadPoolExecutor(READERS) as pool:
            found = list(pool.map(lambda i: collection.find_one({"_id": i}, projection), ids))
    return [d for d in found if d is not None]


def placement(meeting: dict[str, Any]) -> dict[str, Any]:
    """What a meet's list keeps of a meeting: where and with whom (changed on the meet's
    list when the meet or the interpreter changes under it, ``MeetingStore.relist``)."""
    return {k: meeting["_id"] if k == "meeting_id" else meeting.get(k) for k in PLACEMENT}


class MeetingStore:
    def __init__(self, db: Database, topic: str):
        self.db = db
        self.collection = db[MEETINGS]
        self.topic = topic

    def publish(self, meeting: dict[str, Any], events: list[Event]) -> bool:
        """Insert one published meeting once (its id is deterministic: meet, seller, buyer)
        and add it to the meet's list. False if the pair already has a meeting; if that is
        this very meeting (an attempt stopped between writing and listing it), it is listed."""
        doc = {**meeting, "correlation_id": correlation.correlation_id()}
        written = True
        try:
            outbox.insert_one(self.db, MEETINGS, doc, [outbox.outbox_entry(self.topic, e) for e in events])
        except DuplicateKeyError:
            stored = self.get(meeting["_id"])
            if not (stored and stored["status"] == "scheduled" and placement(stored) == placement(meeting)):
                return False
            written = False
        self._list_chunk(meeting["meet_id"], f"{meeting['meet_id']}:m:{meeting['_id']}", [placement(meeting)], [])
        return written

    def chunk_done(self, chunk_id: str) -> bool:
        return self.db[PUBLICATIONS].find_one({"_id": chunk_id}, {"_id": 1}) is not None

    def publish_chunk(self, meet_id: str, chunk_id: str, meetings: list[dict[str, Any]], events: list[Event]) -> int:
        """Insert a chunk of meetings (those already there are left alone), then the chunk
        document carrying their events, then list it. Safe to repeat; returns how many
        meeting documents this call inserted."""
        correlation_id = correlation.correlation_id()
        inserted = len(meetings)
        try:
            self.collection.insert_many([{**m, "correlation_id": correlation_id} for m in meetings], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            inserted -= len(errors)
        self._list_chunk(meet_id, chunk_id, [placement(m) for m in meetings], [outbox.outbox_entry(self.topic, e) for e in events])
        return inserted

    def list_chunk(self, meet_id: str, chunk_id: str) -> None:
        """Make sure an existing chunk is on its meet's list (a crash may have come between)."""
        self.db[MEETING_LISTS].update_one({"_id": meet_id}, {"$addToSet": {"chunks": chunk_id}}, upsert=True)

    def _list_chunk(self, meet_id: str, chunk_id: str, placements: list[dict[str, Any]], entries: list[dict[str, Any]]) -> None:
        try:
            outbox.insert_one(self.db, PUBLICATIONS, {"_id": chunk_id, "meet_id": meet_id, "meetings": placements}, entries)
        except DuplicateKeyError:
            pass
        self.list_chunk(meet_id, chunk_id)

    def placements(self, meet_id: str, participant_id: str | None = None, live: bool = True) -> list[dict[str, Any]]:
        """Where the meet's meetings are (``PLACEMENT`` fields), by slot and table; ``live``
        leaves out cancelled ones; ``participant_id`` keeps theirs only."""
        listed = self.db[MEETING_LISTS].find_one({"_id": meet_id}) or {}
        cancelled = set(listed.get("cancelled") or ()) if live else set()
        moved = listed.get("moved") or {}
        chunks = by_ids(self.db[PUBLICATIONS], listed.get("chunks") or [], {"meetings": 1})
        found = {
            p["meeting_id"]: p for chunk in chunks for p in chunk.get("meetings", [])
            if p["meeting_id"] not in cancelled and participant_id in (None, p["seller_id"], p["buyer_id"])
        }
        found.update((i, moved[field_key(i)]) for i in list(found) if field_key(i) in moved)
        return sorted(found.values(), key=lambda p: (p["slot_index"], p["table"], p["meeting_id"]))

    def cancelled(self, meet_id: str) -> set[str]:
        """Ids of the meet's cancelled meetings."""
        return set((self.db[MEETING_LISTS].find_one({"_id": meet_id}, {"cancelled": 1}) or {}).get("cancelled") or ())

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": meeting_id}, HIDDEN)

    def many(self, meeting_ids: Iterable[str]) -> list[dict[str, Any]]:
        return by_ids(self.collection, meeting_ids, HIDDEN)

    def update(self, meeting_id: str, expected_version: int, fields: dict[str, Any], events: list[Event]) -> bool:
        update = {"$set": {**fields, "version": expected_version + 1, "correlation_id": correlation.correlation_id()}}
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        return outbox.update_one(self.db, MEETINGS, {"_id": meeting_id, "version": expected_version}, update, entries).modified_count == 1

    def set_quietly(self, meeting_id: str, expected_version: int, fields: dict[str, Any]) -> bool:
        """Set bookkeeping ``fields`` (no one is told: no event, the version stays) unless
        the meeting's version moved on; False then."""
        return self.collection.update_one({"_id": meeting_id, "version": expected_version}, {"$set": fields}).matched_count == 1

    def relist(self, meet_id: str, placements: dict[str, dict[str, Any]]) -> None:
        """Record where some of the meet's meetings are now (meeting id -> its ``placement``)
        on the meet's list, in one write: ``placements()`` reads them over their chunk's,
        which are never rewritten (a chunk's outbox is being marked by the relay meanwhile,
        and FerretDB loses one of two concurrent updates of a document)."""
        if placements:
            moved = {f"moved.{field_key(meeting_id)}": where for meeting_id, where in placements.items()}
            self.db[MEETING_LISTS].update_one({"_id": meet_id}, {"$set": moved}, upsert=True)

    def followed(self, meet_id: str) -> str | None:
        """The meet layout (``meet_changes.layout``) its published meetings were last
        brought in line with, if any."""
        return (self.db[MEETING_LISTS].find_one({"_id": meet_id}, {"followed": 1}) or {}).get("followed")

    def mark_followed(self, meet_id: str, layout: str) -> None:
        self.db[MEETING_LISTS].update_one({"_id": meet_id}, {"$set": {"followed": layout}}, upsert=True)

    def mark_cancelled(self, meet_id: str, meeting_id: str) -> None:
        self.db[MEETING_LISTS].update_one({"_id": meet_id}, {"$addToSet": {"cancelled": meeting_id}}, upsert=True)

    def for_meet(self, meet_id: str, participant_id: str | None = None) -> list[dict[str, Any]]:
        """The meet's meeting documents (a participant's only, if given), by slot and table."""
        return self.many(p["meeting_id"] for p in self.placements(meet_id, participant_id, live=False))

    def page_for_meet(self, meet_id: str, participant_id: str | None, limit: int, cursor: str | None) -> Page:
        """A page of ``for_meet`` ordered by slot then id; the cursor is the shared one."""
        listed = sorted(self.placements(meet_id, participant_id, live=False), key=lambda p: (p["slot_index"], p["meeting_id"]))
        scope = list_scope(MEETINGS, meet_id, participant_id)
        if cursor:
            after = decode_cursor(cursor, scope)
            if not isinstance(after[0], int) or not isinstance(after[1], str):
                raise BadCursor("The cursor is not one this API gave out.")
            listed = [p for p in listed if (p["slot_index"], p["meeting_id"]) > after]
        limit = max(1, min(limit, MAX_LIMIT))
        docs = self.many(p["meeting_id"] for p in listed[:limit])
        more = len(listed) > limit and docs
        return Page(docs, encode_cursor(docs[-1]["slot_index"], docs[-1]["_id"], scope) if more else None)

    def report_rows(self, meet_id: str) -> list[dict[str, Any]]:
        """Organiser report: a query over the meet's meetings, outcomes and LoIs."""
        return list(self.collection.find({"meet_id": meet_id}, HIDDEN).sort([("slot_index", ASCENDING), ("table", ASCENDING)]))

    def all(self) -> list[dict[str, Any]]:
        """Organiser report across meets: every meeting."""
        return list(self.collection.find({}, HIDDEN))

    def queue_follow_up(self, meeting_id: str, due: str | None) -> None:
        """Put (or keep) a meeting on the follow-ups due-queue at ``due``; None takes it off."""
        if due is None:
            self.db[FOLLOW_UPS_DUE].delete_one({"_id": meeting_id})
        else:
            self.db[FOLLOW_UPS_DUE].update_one({"_id": meeting_id}, {"$set": {"due": due}}, upsert=True)

    def follow_ups_due(self, today: str, limit: int = 100) -> list[tuple[str, dict[str, Any] | None]]:
        """(meeting id, meeting or None) for each queued follow-up due by ``today``."""
        queued = [q["_id"] for q in self.db[FOLLOW_UPS_DUE].find({"due": {"$lte": today}}).limit(limit)]
        found = {m["_id"]: m for m in self.many(queued)}
        return [(i, found.get(i)) for i in queued]
