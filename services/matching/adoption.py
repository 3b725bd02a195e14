"""Once per database: build the per-meet documents from what was stored before they existed.

Rosters (adopted again, once, when they were split into parts), preference sets,
interpreter pools, meeting lists, request counts and the follow-ups due-queue are kept up
to date by every write since; documents written earlier are adopted here by the only
scans over whole collections, and a marker keeps them from running a second time. A database created after this change finds nothing to adopt.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pymongo.database import Database

from services.matching.meetings_store import FOLLOW_UPS_DUE, MEETING_LISTS, MEETINGS, PUBLICATIONS, field_key, placement
from services.matching.store import roster_member

MARKER = "matching_migrated"
ROSTER_MARKER = "roster_parts"


def adopt_history(db: Database) -> None:
    """Adopt documents written before the per-meet documents (idempotent; once)."""
    if not db[MARKER].find_one({"_id": ROSTER_MARKER}):
        for doc in db["participation"].find({"status": "approved"}):
            roster_member(db, doc["meet_id"], doc["participant_id"], doc["role"])
        db[MARKER].update_one({"_id": ROSTER_MARKER}, {"$set": {"at": datetime.now(timezone.utc)}}, upsert=True)
    if db[MARKER].find_one({"_id": "per_meet_documents"}):
        return
    for doc in db["preferences"].find({}):
        key = f"said.{field_key(doc['participant_id'], doc['counterpart_id'])}"
        db["preference_sets"].update_one({"_id": doc["meet_id"]}, {"$set": {key: {k: v for k, v in doc.items() if k != "_id"}}}, upsert=True)
    for doc in db["interpreters"].find({}):
        key = f"pool.{field_key(doc['interpreter_id'])}"
        db["interpreter_pools"].update_one({"_id": doc["meet_id"]}, {"$set": {key: {k: v for k, v in doc.items() if k != "_id"}}}, upsert=True)
    for doc in db["requests"].find({}, {"meet_id": 1, "from_id": 1}):
        db["request_counts"].update_one({"_id": f"{doc['meet_id']}:{doc['from_id']}"}, {"$addToSet": {"sent": doc["_id"]}}, upsert=True)
    by_meet: dict[str, list[dict]] = {}
    for doc in db[MEETINGS].find({}, {"_outbox": 0}):
        by_meet.setdefault(doc["meet_id"], []).append(placement(doc))
        if doc.get("status") == "cancelled":
            db[MEETING_LISTS].update_one({"_id": doc["meet_id"]}, {"$addToSet": {"cancelled": doc["_id"]}}, upsert=True)
        if doc.get("next_follow_up_due"):
            db[FOLLOW_UPS_DUE].update_one({"_id": doc["_id"]}, {"$set": {"due": doc["next_follow_up_due"]}}, upsert=True)
    for meet_id, placements in by_meet.items():
        chunk_id = f"{meet_id}:adopted"
        db[PUBLICATIONS].replace_one({"_id": chunk_id}, {"meet_id": meet_id, "meetings": placements}, upsert=True)
        db[MEETING_LISTS].update_one({"_id": meet_id}, {"$addToSet": {"chunks": chunk_id}}, upsert=True)
    db[MARKER].update_one({"_id": "per_meet_documents"}, {"$set": {"at": datetime.now(timezone.utc)}}, upsert=True)
