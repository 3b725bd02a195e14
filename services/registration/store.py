"""Registration's MongoDB collections and the writes that carry outbox events."""
from __future__ import annotations

from pymongo.database import Database

from shared import outbox
from shared.envelope import Event

from services.registration.domain.participants import Participant

PARTICIPANTS = "participants"
OUTBOX_COLLECTIONS = [PARTICIPANTS]


def ensure_indexes(db: Database) -> None:
    outbox.ensure_outbox_index(db, OUTBOX_COLLECTIONS)
    db[PARTICIPANTS].create_index("phone", name="phone")


class ParticipantStore:
    def __init__(self, db: Database, topic: str):
        self.collection = db[PARTICIPANTS]
        self.topic = topic

    def add(self, participant: Participant, events: list[Event]) -> None:
        document = participant.as_dict()
        document["_id"] = document.pop("id")
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        self.collection.insert_one(outbox.new_document(document, entries))

    def get(self, participant_id: str) -> Participant | None:
        doc = self.collection.find_one({"_id": participant_id}, {outbox.OUTBOX: 0, outbox.PENDING: 0})
        if doc is None:
            return None
        doc["id"] = doc.pop("_id")
        return Participant(**doc)
