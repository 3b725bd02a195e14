"""What notifications keeps of other services' data, read by ``_id`` only.

Contacts, meets and meetings are keyed by their own ids. What used to be found by
searching (a meet's meetings, applications and LoIs) is listed in a per-meet index
document (``MemberIndex``), so a lookup costs as much as the meet is large, whatever
history other meets left behind.
"""
from __future__ import annotations

import zlib
from decimal import Decimal
from datetime import UTC, datetime, time
from typing import Any, Iterable

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.money import Money, in_words

from services.notifications.domain.contacts import Contact

CONTACTS, MEETINGS, MEETS, DIGEST_MEETS = "contacts", "meetings", "meets", "digest_meets"
MEETING_PAIRS, PUBLICATIONS, PUBLISHED_PAIRS = "meeting_pairs", "publications", "published_pairs"
CONTACT_FIELDS = ("name", "role", "email", "phone", "language", "share_contact")
PREFERENCE_FIELDS = ("channels", "opted_out", "quiet_start", "quiet_end", "webhook_url", "webhook_secret")
DIGEST_STATUSES = ("registration_open", "completed")


class MemberIndex:
    """The members of one key (a meet's meetings), added idempotently: ``{_id: "<key>#<b>",
    ids: [...]}`` in ``BUCKETS`` documents per key, so adding to a large meet rewrites a
    sixteenth of its list, and listing it reads sixteen documents by ``_id``."""

    BUCKETS = 16

    def __init__(self, db: Database, name: str):
        self.collection = db[name]

    def add(self, key: str, member_id: str) -> None:
        bucket = zlib.crc32(member_id.encode()) % self.BUCKETS
        self.collection.update_one({"_id": f"{key}#{bucket}"}, {"$addToSet": {"ids": member_id}}, upsert=True)

    def members(self, key: str) -> list[str]:
        return [i for b in range(self.BUCKETS) for i in (self.collection.find_one({"_id": f"{key}#{b}"}) or {}).get("ids", [])]


def _upsert_if_newer(collection, key: str, version: int, fields: dict[str, Any]) -> bool:
    """Write ``fields`` unless a version at least as new is stored; False when stale."""
    try:
        collection.update_one({"_id": key, "version": {"$lt": version}}, {"$set": {**fields, "version": version}}, upsert=True)
        return True
    except DuplicateKeyError:
        return False


class ContactStore:
    """How to reach each participant (from registration's events) and what they chose."""

    def __init__(self, db: Database):
        self.collection = db[CONTACTS]

    def save_if_newer(self, participant_id: str, contact: dict[str, Any], version: int) -> bool:
        return _upsert_if_newer(self.collection, participant_id, version, {k: contact.get(k) for k in CONTACT_FIELDS})

    def set_preferences(self, participant_id: str, preferences: dict[str, Any]) -> bool:
        fields = {k: preferences[k] for k in PREFERENCE_FIELDS if k in preferences}
        return self.collection.update_one({"_id": participant_id}, {"$set": fields}).matched_count == 1

    def get(self, participant_id: str) -> Contact | None:
        doc = self.collection.find_one({"_id": participant_id})
        return _contact(doc) if doc else None


class MeetingView:
    """Published meetings, from matching's events: for personal schedules and reminders.
    Each is also found by its pair (``meeting_pairs``: ``<meet>|<seller>|<buyer>``, as a
    pair meets at most once per meet), which is how a publication names its meetings."""

    def __init__(self, db: Database):
        self.collection = db[MEETINGS]
        self.pairs = db[MEETING_PAIRS]
        self.by_meet = MemberIndex(db, "meet_meetings")

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": meeting_id})

    def of_pair(self, meet_id: str, seller_id: str, buyer_id: str) -> dict[str, Any] | None:
        """The meeting of a seller and a buyer at a meet, once it is saved."""
        pointer = self.pairs.find_one({"_id": f"{meet_id}|{seller_id}|{buyer_id}"})
        return self.get(pointer["meeting_id"]) if pointer else None

    def save(self, meeting: dict[str, Any]) -> bool:
        """Keep the meeting unless a newer version is stored; False when it was stale.
        Found by its pair only once it is saved."""
        self.by_meet.add(meeting["meet_id"], meeting["meeting_id"])
        saved = _upsert_if_newer(self.collection, meeting["meeting_id"], meeting["version"],
                                 {k: v for k, v in meeting.items() if k not in ("meeting_id", "version")})
        try:
            self.pairs.insert_one({"_id": f"{meeting['meet_id']}|{meeting['seller_id']}|{meeting['buyer_id']}", "meeting_id": meeting["meeting_id"]})
        except DuplicateKeyError:
            pass
        return saved

    def all_of_meet(self, meet_id: str) -> list[dict[str, Any]]:
        """Every meeting of the meet saved so far, whatever its status."""
        return [m for m in (self.collection.find_one({"_id": i}) for i in self.by_meet.members(meet_id)) if m]

    def of_meet(self, meet_id: str) -> list[dict[str, Any]]:
        """The meet's scheduled meetings by day and start."""
        return sorted((m for m in self.all_of_meet(meet_id) if m.get("status") == "scheduled"), key=lambda m: (m["day"], m["start"]))


class Publications:
    """Which meets' schedules are published, and what the first publication of each held.

    ``publications`` is ``{_id: meet, event_id}`` of the first ``schedule.published``;
    ``published_pairs`` ``{_id: "<meet>|<seller>", buyer_ids}`` its meetings. A meeting
    not among them was added after the publication (a walk-in, a repair). The pairs are
    written before the marker, so whoever sees the marker can read them."""

    def __init__(self, db: Database):
        self.collection, self.pairs = db[PUBLICATIONS], db[PUBLISHED_PAIRS]

    def first(self, meet_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": meet_id})

    def record(self, meet_id: str, event_id: str, sellers: list[dict[str, Any]]) -> bool:
        """Record a publication of the meet (``sellers``: ``[{seller_id, buyer_ids}]``);
        True when it is the meet's first (also when recorded before, by a redelivery)."""
        first = self.first(meet_id)
        if first is not None:
            return first["event_id"] == event_id
        writes = [UpdateOne({"_id": f"{meet_id}|{s['seller_id']}"}, {"$set": {"buyer_ids": s["buyer_ids"]}}, upsert=True) for s in sellers]
        if writes:
            self.pairs.bulk_write(writes, ordered=False)
        try:
            self.collection.insert_one({"_id": meet_id, "event_id": event_id})
        except DuplicateKeyError:
            return self.first(meet_id)["event_id"] == event_id
        return True

    def first_pairs(self, meet_id: str, seller_ids: Iterable[str]) -> set[tuple[str, str]]:
        """The pairs of ``seller_ids`` the meet's first publication holds (one ``_id``
        lookup per seller)."""
        return {(seller, buyer) for seller in set(seller_ids)
                for buyer in (self.pairs.find_one({"_id": f"{meet_id}|{seller}"}) or {}).get("buyer_ids", [])}

    def includes(self, meet_id: str, seller_id: str, buyer_id: str) -> bool:
        """Whether the meet's first publication holds the meeting of this pair."""
        return buyer_id in (self.pairs.find_one({"_id": f"{meet_id}|{seller_id}"}) or {}).get("buyer_ids", [])


class MeetNames:
    """The meets (from registration's events): names for message texts, reminder lead
    times, whether a meet is historical (recorded after it happened, so nobody hears
    anything about it), and which meets organisers get digests about (``digest_meets``, a
    collection holding only the meets open for registration or with results still to
    send; never a historical meet)."""

    def __init__(self, db: Database):
        self.collection = db[MEETS]
        self.digests = db[DIGEST_MEETS]

    def save(self, meet_id: str, name: str, version: int, status: str | None = None, timezone: str = "Asia/Kolkata", reminder_minutes: int = 30,
             historical: bool = False) -> bool:
        """Keep the meet unless a newer version is stored; False when it was stale."""
        stored = self.collection.find_one({"_id": meet_id}, {"version": 1}) or {}
        if stored.get("version", 0) >= version:
            return False
        if status in DIGEST_STATUSES and not historical:
            seen = {"completed_at": datetime.now(UTC)} if status == "completed" else {}
            _upsert_if_newer(self.digests, meet_id, version, {"status": status, **seen})
        elif status or historical:
            self.digests.delete_one({"_id": meet_id})
        fields = {"name": name, "timezone": timezone, "reminder_minutes": reminder_minutes, "historical": historical, **({"status": status} if status else {})}
        return _upsert_if_newer(self.collection, meet_id, version, fields)

    def awaiting_digests(self) -> list[dict[str, Any]]:
        """``{_id, status, name}`` of each meet open for registration or with results to send
        (a completed meet's also ``completed_at``: when its completion was heard of here)."""
        return [{**meet, "name": self.get(meet["_id"])} for meet in self.digests.find({})]

    def results_sent(self, meet_id: str) -> None:
        self.digests.delete_one({"_id": meet_id, "status": "completed"})

    def get(self, meet_id: str) -> str:
        doc = self.collection.find_one({"_id": meet_id})
        return doc["name"] if doc and doc.get("name") else "the Buyer-Seller Meet"

    def reminder_minutes(self, meet_id: str, default: int) -> int:
        return (self.collection.find_one({"_id": meet_id}) or {}).get("reminder_minutes") or default

    def known(self, meet_id: str) -> bool:
        """Whether registration's event about the meet has arrived."""
        return self.name(meet_id) is not None

    def historical(self, meet_id: str) -> bool | None:
        """Whether the meet was recorded after it happened; None until registration's
        event about it has arrived."""
        doc = self.collection.find_one({"_id": meet_id}, {"name": 1, "historical": 1})
        return bool(doc.get("historical")) if doc and doc.get("name") else None

    def status(self, meet_id: str) -> str | None:
        """The meet's status as last heard from registration (None if not yet)."""
        return (self.collection.find_one({"_id": meet_id}, {"status": 1}) or {}).get("status")

    def name(self, meet_id: str) -> str | None:
        """The meet's name, None until registration's event about it has arrived."""
        return (self.collection.find_one({"_id": meet_id}, {"name": 1}) or {}).get("name")


class Tallies:
    """What organisers' digests count: applications by status, and LoIs signed, per meet.
    Kept as one document per application or LoI, so a redelivered event counts once."""

    def __init__(self, db: Database):
        self.participation, self.lois = db["participation"], db["lois"]
        self.applications_of, self.lois_of = MemberIndex(db, "meet_applications"), MemberIndex(db, "meet_lois")

    def save_participation(self, data: dict[str, Any]) -> None:
        key = f"{data['meet_id']}:{data['participant_id']}"
        self.applications_of.add(data["meet_id"], key)
        _upsert_if_newer(self.participation, key, data["version"], {k: data[k] for k in ("meet_id", "participant_id", "role", "status")})

    def approved(self, meet_id: str) -> list[str]:
        return [d["participant_id"] for d in self._applications(meet_id) if d["status"] == "approved"]

    def save_loi(self, data: dict[str, Any]) -> None:
        self.lois_of.add(data["meet_id"], data["meeting_id"])
        self.lois.replace_one({"_id": data["meeting_id"]}, {"meet_id": data["meet_id"], "value_inr": data["value_inr"]}, upsert=True)

    def counts(self, meet_id: str) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for doc in self._applications(meet_id):
            key = f"{doc['role']}s_{doc['status']}"
            by_status[key] = by_status.get(key, 0) + 1
        lois = (self.lois.find_one({"_id": i}) for i in self.lois_of.members(meet_id))
        values = [Decimal(d["value_inr"]) for d in lois if d]
        total = Money(sum(values, Decimal(0)))
        return {"applications": by_status, "lois": len(values), "loi_value": in_words(total), "loi_value_inr": str(total.amount)}

    def _applications(self, meet_id: str) -> list[dict[str, Any]]:
        return [d for d in (self.participation.find_one({"_id": i}) for i in self.applications_of.members(meet_id)) if d]


def _contact(doc: dict[str, Any]) -> Contact:
    values = {k: doc.get(k) for k in CONTACT_FIELDS + PREFERENCE_FIELDS if doc.get(k) is not None}
    for key in ("quiet_start", "quiet_end"):
        if key in values:
            values[key] = time.fromisoformat(values[key])
    values.setdefault("name", doc["_id"])
    values.setdefault("role", "participant")
    return Contact(participant_id=doc["_id"], version=doc.get("version", 0), **values)
