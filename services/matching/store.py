"""Matching's MongoDB collections (its read model and what it decides)."""
from __future__ import annotations

from dataclasses import asdict

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.envelope import Event

from services.matching.domain.participants import ParticipantProfile

PARTICIPANTS = "participants"
OUTBOX_COLLECTIONS = [PARTICIPANTS]


def ensure_indexes(db: Database) -> None:
    outbox.ensure_outbox_index(db, OUTBOX_COLLECTIONS)
    db[PARTICIPANTS].create_index("role", name="role")


class ProfileStore:
    def __init__(self, db: Database, topic: str):
        self.collection = db[PARTICIPANTS]
        self.topic = topic

    def save_if_newer(self, profile: ParticipantProfile, events: list[Event]) -> bool:
        """Store ``profile`` unless this or a newer version is already stored.

        The version guard makes the write idempotent and immune to out-of-order delivery:
        when the stored version is not older, the upsert's insert collides on ``_id``.
        """
        fields = asdict(profile)
        fields.pop("id")
        update = outbox.with_outbox({"$set": fields}, [outbox.outbox_entry(self.topic, e) for e in events])
        try:
            self.collection.update_one({"_id": profile.id, "version": {"$lt": profile.version}}, update, upsert=True)
            return True
        except DuplicateKeyError:
            return False

    def get(self, participant_id: str) -> ParticipantProfile | None:
        doc = self.collection.find_one({"_id": participant_id}, {outbox.OUTBOX: 0, outbox.PENDING: 0})
        if doc is None:
            return None
        doc["id"] = doc.pop("_id")
        return ParticipantProfile(**doc)
