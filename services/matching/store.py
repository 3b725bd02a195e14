"""Matching's MongoDB collections: its read model (built from registration's events) and
what it decides (preferences, schedules, meetings, Letters of Intent)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import correlation, outbox
from shared.envelope import Event
from shared.pagination import Page, page

from services.matching.domain.participants import ParticipantProfile

PARTICIPANTS, MEETS, PARTICIPATION, PREFERENCES, SCHEDULES, MEETINGS, REQUESTS, INTERPRETERS = (
    "participants", "meets", "participation", "preferences", "schedules", "meetings", "requests", "interpreters",
)
OUTBOX_COLLECTIONS = [PARTICIPANTS, PARTICIPATION, SCHEDULES, MEETINGS, REQUESTS]
HIDDEN = {outbox.OUTBOX: 0, outbox.PENDING: 0}


def ensure_indexes(db: Database) -> None:
    db[PARTICIPANTS].create_index("role", name="role")
    db[PARTICIPATION].create_index([("meet_id", ASCENDING), ("status", ASCENDING)])
    db[PREFERENCES].create_index("meet_id")
    db[MEETINGS].create_index("meet_id")
    db[MEETINGS].create_index("seller_id")
    db[MEETINGS].create_index("buyer_id")
    db[MEETINGS].create_index("next_follow_up_due")
    db[REQUESTS].create_index([("meet_id", ASCENDING), ("from_id", ASCENDING)])
    db[REQUESTS].create_index([("meet_id", ASCENDING), ("to_id", ASCENDING)])


def save_if_newer(db: Database, collection: str, doc_id: str, fields: dict[str, Any], version: int, entries=()) -> bool:
    """Store a read-model document unless this or a newer version is already stored.

    The version guard makes the write idempotent and immune to out-of-order delivery:
    when the stored version is not older, the upsert's insert collides on ``_id``.
    """
    try:
        outbox.update_one(db, collection, {"_id": doc_id, "version": {"$lt": version}}, {"$set": {**fields, "version": version}}, list(entries), upsert=True)
        return True
    except DuplicateKeyError:
        return False


class ProfileStore:
    def __init__(self, db: Database, topic: str):
        self.db = db
        self.collection = db[PARTICIPANTS]
        self.topic = topic

    def save_if_newer(self, profile: ParticipantProfile, events: list[Event]) -> bool:
        fields = asdict(profile)
        fields.pop("id")
        version = fields.pop("version")
        return save_if_newer(self.db, PARTICIPANTS, profile.id, fields, version, [outbox.outbox_entry(self.topic, e) for e in events])

    def get(self, participant_id: str) -> ParticipantProfile | None:
        doc = self.collection.find_one({"_id": participant_id}, HIDDEN)
        return _profile(doc) if doc else None

    def many(self, ids: list[str]) -> dict[str, ParticipantProfile]:
        return {d["_id"]: _profile(d) for d in self.collection.find({"_id": {"$in": ids}}, HIDDEN)}


class MeetView:
    """Meets, their slots and who takes part (approved participation), as matching sees them."""

    def __init__(self, db: Database):
        self.db = db

    def save_meet(self, data: dict[str, Any]) -> bool:
        fields = {k: data[k] for k in ("name", "venue", "city", "timezone", "tables", "meeting_minutes", "status", "capacity_sellers", "capacity_buyers")}
        fields["slots"] = [{**s, "day": str(s["day"])} for s in data["slots"]]
        return save_if_newer(self.db, MEETS, data["meet_id"], fields, data["version"])

    def meet(self, meet_id: str) -> dict[str, Any] | None:
        return self.db[MEETS].find_one({"_id": meet_id})

    def save_participation(self, data: dict[str, Any]) -> bool:
        fields = {k: data[k] for k in ("meet_id", "participant_id", "role", "status", "availability")}
        return save_if_newer(self.db, PARTICIPATION, f"{data['meet_id']}:{data['participant_id']}", fields, data["version"])

    def announce(self, meet_id: str, participant_id: str, topic: str, events: list[Event]) -> None:
        """Publish events about a participation through its document's outbox."""
        entries = [outbox.outbox_entry(topic, e) for e in events]
        outbox.update_one(self.db, PARTICIPATION, {"_id": f"{meet_id}:{participant_id}"}, {}, entries)

    def approved(self, meet_id: str) -> list[dict[str, Any]]:
        return list(self.db[PARTICIPATION].find({"meet_id": meet_id, "status": "approved"}))

    def check_in(self, meet_id: str, participant_id: str) -> None:
        self.db[PARTICIPATION].update_one({"_id": f"{meet_id}:{participant_id}"}, {"$set": {"checked_in": True}})

    def participation(self, meet_id: str, participant_id: str) -> dict[str, Any] | None:
        return self.db[PARTICIPATION].find_one({"_id": f"{meet_id}:{participant_id}"})


class InterpreterStore:
    """The meet's pool of interpreters: the languages each covers and the slots they work."""

    def __init__(self, db: Database):
        self.collection = db[INTERPRETERS]

    def put(self, meet_id: str, interpreter_id: str, name: str, languages: list[str], availability: list[str]) -> None:
        self.collection.replace_one(
            {"_id": f"{meet_id}:{interpreter_id}"},
            {"meet_id": meet_id, "interpreter_id": interpreter_id, "name": name, "languages": languages, "availability": availability},
            upsert=True,
        )

    def for_meet(self, meet_id: str) -> list[dict[str, Any]]:
        return list(self.collection.find({"meet_id": meet_id}))


class PreferenceStore:
    def __init__(self, db: Database):
        self.collection = db[PREFERENCES]

    def put(self, meet_id: str, participant_id: str, counterpart_id: str, role: str, preference: str) -> None:
        self.collection.replace_one(
            {"_id": f"{meet_id}:{participant_id}:{counterpart_id}"},
            {"meet_id": meet_id, "participant_id": participant_id, "counterpart_id": counterpart_id, "role": role, "preference": preference},
            upsert=True,
        )

    def for_meet(self, meet_id: str) -> list[dict[str, Any]]:
        return list(self.collection.find({"meet_id": meet_id}))


class ScheduleStore:
    def __init__(self, db: Database, topic: str):
        self.db = db
        self.topic = topic

    def save_draft(self, meet_id: str, draft: dict[str, Any]) -> None:
        self.db[SCHEDULES].update_one({"_id": meet_id}, {"$set": {"draft": draft}}, upsert=True)

    def get(self, meet_id: str) -> dict[str, Any] | None:
        return self.db[SCHEDULES].find_one({"_id": meet_id}, HIDDEN)

    def add_lock(self, meet_id: str, lock: dict[str, Any]) -> None:
        """Pin a meeting to a slot (and table) for every re-run of the draft."""
        self.db[SCHEDULES].update_one({"_id": meet_id}, {"$pull": {"locks": {"seller_id": lock["seller_id"], "buyer_id": lock["buyer_id"]}}}, upsert=True)
        self.db[SCHEDULES].update_one({"_id": meet_id}, {"$push": {"locks": lock}})

    def mark_published(self, meet_id: str, published: dict[str, Any], events: list[Event]) -> None:
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        outbox.update_one(self.db, SCHEDULES, {"_id": meet_id}, {"$set": {"published": published}}, entries)


class MeetingStore:
    def __init__(self, db: Database, topic: str):
        self.collection = db[MEETINGS]
        self.topic = topic

    def publish(self, meeting: dict[str, Any], events: list[Event]) -> bool:
        """Insert a published meeting once (its id is deterministic: meet, seller, buyer)."""
        doc = {**meeting, "correlation_id": correlation.correlation_id()}
        try:
            outbox.insert_one(self.collection.database, MEETINGS, doc, [outbox.outbox_entry(self.topic, e) for e in events])
            return True
        except DuplicateKeyError:
            return False

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": meeting_id}, HIDDEN)

    def update(self, meeting_id: str, expected_version: int, fields: dict[str, Any], events: list[Event]) -> bool:
        update = {"$set": {**fields, "version": expected_version + 1, "correlation_id": correlation.correlation_id()}}
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        return outbox.update_one(self.collection.database, MEETINGS, {"_id": meeting_id, "version": expected_version}, update, entries).modified_count == 1

    def all(self) -> list[dict[str, Any]]:
        return list(self.collection.find({}, HIDDEN))

    def for_meet(self, meet_id: str, participant_id: str | None = None) -> list[dict[str, Any]]:
        return list(self.collection.find(self._query(meet_id, participant_id), HIDDEN).sort([("slot_index", ASCENDING), ("table", ASCENDING)]))

    def page_for_meet(self, meet_id: str, participant_id: str | None, limit: int, cursor: str | None) -> Page:
        return page(self.collection, self._query(meet_id, participant_id), "slot_index", limit, cursor, HIDDEN)

    @staticmethod
    def _query(meet_id: str, participant_id: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"meet_id": meet_id}
        if participant_id:
            query["$or"] = [{"seller_id": participant_id}, {"buyer_id": participant_id}]
        return query

    def follow_ups_due(self, today: str, limit: int = 100) -> list[dict[str, Any]]:
        return list(self.collection.find({"next_follow_up_due": {"$lte": today}}, HIDDEN).limit(limit))


class RequestStore:
    def __init__(self, db: Database, topic: str):
        self.collection = db[REQUESTS]
        self.topic = topic

    def add(self, request: dict[str, Any], events: list[Event]) -> bool:
        try:
            outbox.insert_one(self.collection.database, REQUESTS, request, [outbox.outbox_entry(self.topic, e) for e in events])
            return True
        except DuplicateKeyError:
            return False

    def get(self, request_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": request_id}, HIDDEN)

    def sent_count(self, meet_id: str, from_id: str) -> int:
        return self.collection.count_documents({"meet_id": meet_id, "from_id": from_id})

    def decide(self, request_id: str, status: str, events: list[Event]) -> bool:
        """Accept or decline a pending request (once: a second answer changes nothing)."""
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        return outbox.update_one(self.collection.database, REQUESTS, {"_id": request_id, "status": "pending"}, {"$set": {"status": status}}, entries).modified_count == 1

    def involving(self, meet_id: str, participant_id: str | None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"meet_id": meet_id}
        if participant_id:
            query["$or"] = [{"from_id": participant_id}, {"to_id": participant_id}]
        return list(self.collection.find(query, HIDDEN))


def _profile(doc: dict[str, Any]) -> ParticipantProfile:
    doc = dict(doc)
    doc["id"] = doc.pop("_id")
    return ParticipantProfile(**doc)
