"""Matching's MongoDB collections: its read model (built from registration's events) and
what it decides (preferences, schedules, meetings, Letters of Intent).

Every hot read names documents by ``_id`` (the only lookup FerretDB answers from an
index): what a meet holds is kept in per-meet documents (``rosters/<meet>:<part>``: who is
approved, in ``ROSTER_PARTS`` parts so that an approval rewrites a 32nd of the roster:
at 3,300 people the consumer records one in 6 ms instead of 150 ms; ``preference_sets``; ``interpreter_pools``;
``meeting_lists`` with the publication chunks that list its meetings, see
``meetings_store``), and the members are then read one by one. Collections that only hold pending work are listed in ``BOUNDED_COLLECTIONS``:
``follow_ups_due``, ``suggestions_due/<meet>:<participant>`` (an approved participant
not yet told their best matches, or told before counterparts who now suit them better
were approved, with ``not_before``; the ``suggestions`` worker works it off) and
``profiles_awaited/<participant>`` (an approved participant whose profile has not arrived
yet, with the meets whose suggestions wait for it; removed when it arrives) and
``languages_dropped/<participant>`` (a participant whose profile gave up a language, until
their published meetings have been looked at again; see ``actions.interpreters``).
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
import json
from zlib import crc32
from typing import Any, Iterable

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import CollectionInvalid, DuplicateKeyError, OperationFailure

from shared import gi_tags, outbox
from shared.envelope import Event

from services.matching.domain.participants import ParticipantProfile
from services.matching.occupancy import ensure_collections
from services.matching.meetings_store import (
    FOLLOW_UPS_DUE, MEETING_LISTS, MEETINGS, PUBLICATIONS, HIDDEN, MeetingStore, by_ids, field_key,
)

PARTICIPANTS, MEETS, PARTICIPATION, SCHEDULES, REQUESTS = "participants", "meets", "participation", "schedules", "requests"
ROSTERS, PREFERENCE_SETS, INTERPRETER_POOLS, REQUEST_COUNTS = "rosters", "preference_sets", "interpreter_pools", "request_counts"
APPROVED_COUNTS, DRAFT_REPORTS = "approved_counts", "draft_reports"
SUGGESTIONS_DUE, PROFILES_AWAITED, LANGUAGES_DROPPED = "suggestions_due", "profiles_awaited", "languages_dropped"
MEET_VERSIONS_AWAITED = "meet_versions_awaited"
ROSTER_PARTS = 32
OUTBOX_COLLECTIONS = [PARTICIPANTS, PARTICIPATION, SCHEDULES, MEETINGS, REQUESTS, PUBLICATIONS]
BOUNDED_COLLECTIONS = (FOLLOW_UPS_DUE, SUGGESTIONS_DUE, PROFILES_AWAITED, LANGUAGES_DROPPED)
__all__ = ["MeetingStore", "MEETINGS", "MEETING_LISTS", "PUBLICATIONS", "FOLLOW_UPS_DUE", "SUGGESTIONS_DUE", "PROFILES_AWAITED", "LANGUAGES_DROPPED",
           "BOUNDED_COLLECTIONS", "OUTBOX_COLLECTIONS"]


class RequestCapReached(Exception):
    """The sender has sent as many requests as a meet allows."""


class PublicationUnfinished(Exception):
    """A publication of the stored draft has begun and not ended: the draft stays as it is."""


def ensure_indexes(db: Database) -> None:
    """The per-meet collections (created up front: a lookup in a missing one is not
    answered from an index), indexes for the organiser reports that stay queries
    (results, request lists), the one-off adoption of documents stored before the per-meet documents existed, and the
    one-off rewrite of GI tags stored under the names the platform used before (``shared/gi_tags.py``)."""
    present = set(db.list_collection_names())
    for name in {ROSTERS, PREFERENCE_SETS, INTERPRETER_POOLS, REQUEST_COUNTS, MEETING_LISTS, PUBLICATIONS, FOLLOW_UPS_DUE, SUGGESTIONS_DUE,
                 PROFILES_AWAITED, LANGUAGES_DROPPED, DRAFT_REPORTS, MEET_VERSIONS_AWAITED} - present:
        try:
            db.create_collection(name)
        except (CollectionInvalid, OperationFailure):
            pass  # another process created it meanwhile
    ensure_collections(db)
    db[MEETINGS].create_index("meet_id")
    db[REQUESTS].create_index([("meet_id", ASCENDING), ("from_id", ASCENDING)])
    db[PARTICIPATION].create_index("participant_id")
    from services.matching.adoption import MARKER, adopt_history

    adopt_history(db)
    gi_tags.rename_stored_once(db, PARTICIPANTS, MARKER)


def roster_part(meet_id: str, participant_id: str) -> str:
    """The ``_id`` of the part of the meet's roster that lists ``participant_id``."""
    return f"{meet_id}:{crc32(participant_id.encode()) % ROSTER_PARTS}"


def roster_member(db: Database, meet_id: str, participant_id: str, role: str | None) -> None:
    """Put a participant on the meet's roster with their role, or (``role`` None) take them
    off. A change stamps the part's ``changed_at`` (``MeetView.roster_changed_at``); writing
    what the roster already says (a redelivery, another event of someone approved) changes
    nothing, in the same one write."""
    doc_id = roster_part(meet_id, participant_id)
    key = f"members.{field_key(participant_id)}"
    now = datetime.now(timezone.utc)
    if role:
        member = {"participant_id": participant_id, "role": role}
        try:
            db[ROSTERS].update_one({"_id": doc_id, f"{key}.role": {"$ne": role}}, {"$set": {key: member, "changed_at": now}}, upsert=True)
        except DuplicateKeyError:
            pass  # the part lists them with this role already
    else:
        db[ROSTERS].update_one({"_id": doc_id, key: {"$exists": True}}, {"$unset": {key: ""}, "$set": {"changed_at": now}})


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

    def await_profiles(self, meet_id: str, participant_ids: Iterable[str]) -> set[str]:
        """Park the meet's suggestions on each of ``participant_ids`` whose profile is not
        stored (``profiles_awaited/<participant>`` lists the meets waiting); returns the ids
        still missing. The park is written before the profile is looked for again, so a
        profile saved meanwhile clears it, here or in ``arrived``."""
        missing = set()
        for participant_id in participant_ids:
            if self._stored(participant_id):
                continue
            self.db[PROFILES_AWAITED].update_one({"_id": participant_id}, {"$addToSet": {"meets": meet_id}}, upsert=True)
            if self._stored(participant_id):
                self.arrived(participant_id)
            else:
                missing.add(participant_id)
        return missing

    def arrived(self, participant_id: str) -> None:
        """The participant's profile is stored: nothing waits for it any more."""
        self.db[PROFILES_AWAITED].delete_one({"_id": participant_id})

    def note_languages_dropped(self, participant_id: str) -> None:
        """Note that the participant gave up a language: their published meetings are to be
        looked at again (``languages_dropped``), until ``languages_followed``."""
        self.db[LANGUAGES_DROPPED].update_one({"_id": participant_id}, {"$set": {"at": datetime.now(timezone.utc)}}, upsert=True)

    def languages_dropped(self, participant_id: str) -> bool:
        return self.db[LANGUAGES_DROPPED].find_one({"_id": participant_id}, {"_id": 1}) is not None

    def languages_followed(self, participant_id: str) -> None:
        self.db[LANGUAGES_DROPPED].delete_one({"_id": participant_id})

    def awaited(self) -> set[str]:
        """Participants whose profile something waits for (a collection as long as that wait)."""
        return {doc["_id"] for doc in self.db[PROFILES_AWAITED].find({}, {"_id": 1})}

    def _stored(self, participant_id: str) -> bool:
        return self.collection.find_one({"_id": participant_id}, {"_id": 1}) is not None

    def many(self, ids: list[str]) -> dict[str, ParticipantProfile]:
        """The profiles of ``ids`` that are stored, read one ``_id`` at a time."""
        return {d["_id"]: _profile(d) for d in by_ids(self.collection, ids, HIDDEN)}


class MeetView:
    """Meets, their slots and who takes part (approved participation), as matching sees them.

    The roster (``rosters/<meet>:<part>``) maps each approved participant to their role;
    it is brought in line with the stored participation after every participation event,
    so a redelivery mends a roster a crash left behind."""

    def __init__(self, db: Database):
        self.db = db

    def save_meet(self, data: dict[str, Any]) -> bool:
        fields = {k: data[k] for k in ("name", "venue", "city", "timezone", "tables", "meeting_minutes", "status", "capacity_sellers", "capacity_buyers",
                                       "historical")}
        fields["slots"] = [{**s, "day": str(s["day"])} for s in data["slots"]]
        return save_if_newer(self.db, MEETS, data["meet_id"], fields, data["version"])

    def meet(self, meet_id: str) -> dict[str, Any] | None:
        return self.db[MEETS].find_one({"_id": meet_id})

    def await_meet_version(self, meet_id: str, participant_id: str, version: int) -> None:
        """Note that ``participant_id``'s availability is written on meet ``version``, which
        has not arrived yet (``meet_versions_awaited/<meet>``: one small document per meet)."""
        entry = {"participant_id": participant_id, "version": version}
        self.db[MEET_VERSIONS_AWAITED].update_one({"_id": meet_id}, {"$set": {f"participants.{field_key(participant_id)}": entry}}, upsert=True)

    def meet_versions_awaited(self, meet_id: str) -> list[dict[str, Any]]:
        """The notes of ``await_meet_version`` for the meet: ``{participant_id, version}``."""
        doc = self.db[MEET_VERSIONS_AWAITED].find_one({"_id": meet_id}) or {}
        return list((doc.get("participants") or {}).values())

    def meet_version_followed(self, meet_id: str, participant_id: str, version: int) -> None:
        """Drop a note once followed, unless a later one replaced it meanwhile."""
        key = f"participants.{field_key(participant_id)}"
        self.db[MEET_VERSIONS_AWAITED].update_one({"_id": meet_id, f"{key}.version": version}, {"$unset": {key: ""}})

    def save_participation(self, data: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """Store a participation version if newer, then align the meet's roster with what is
        stored. Returns (whether this version was stored, the stored participation)."""
        fields = {**{k: data[k] for k in ("meet_id", "participant_id", "role", "status", "availability")}, "meet_version": data.get("meet_version")}
        saved = save_if_newer(self.db, PARTICIPATION, f"{data['meet_id']}:{data['participant_id']}", fields, data["version"])
        stored = self.participation(data["meet_id"], data["participant_id"]) or {**fields, "version": data["version"]}
        roster_member(self.db, data["meet_id"], data["participant_id"], stored["role"] if stored["status"] == "approved" else None)
        return saved, stored

    def note_approved_counts(self, meet_id: str, counts: dict[str, Any]) -> None:
        """Keep registration's approved counts of the meet (``{"seller", "buyer", "as_of"}``,
        carried by its decisions' events) unless counts of a later decision are stored."""
        as_of = datetime.fromisoformat(counts["as_of"])
        fields = {"seller": counts["seller"], "buyer": counts["buyer"], "as_of": counts["as_of"]}
        save_if_newer(self.db, APPROVED_COUNTS, meet_id, fields, int(as_of.timestamp() * 1_000_000))

    def approved_counts(self, meet_id: str) -> dict[str, int] | None:
        """Registration's approved counts of the meet as last heard (None before any decision)."""
        doc = self.db[APPROVED_COUNTS].find_one({"_id": meet_id})
        return {"seller": doc["seller"], "buyer": doc["buyer"]} if doc else None

    def roster(self, meet_id: str) -> dict[str, str]:
        """Approved participant id -> role (the roster's parts, each read by ``_id``)."""
        return self.roster_changed_at(meet_id)[0]

    def roster_changed_at(self, meet_id: str) -> tuple[dict[str, str], datetime | None]:
        """``roster`` and when someone last joined or left it (None if never stamped)."""
        parts = by_ids(self.db[ROSTERS], (f"{meet_id}:{n}" for n in range(ROSTER_PARTS)))
        members = {m["participant_id"]: m["role"] for doc in parts for m in (doc.get("members") or {}).values()}
        return members, max((doc["changed_at"] for doc in parts if doc.get("changed_at")), default=None)

    def carry_suggestions(self, participation: dict[str, Any], version: int) -> dict[str, Any]:
        """A participation whose availability alone changed (``version``, one after the
        version told its matches) keeps what it was told: matches do not depend on
        availability. Returns the stored participation."""
        key = f"{participation['meet_id']}:{participation['participant_id']}"
        self.db[PARTICIPATION].update_one({"_id": key, "version": version, "suggested_version": version - 1}, {"$set": {"suggested_version": version}})
        return self.participation(participation["meet_id"], participation["participant_id"]) or participation

    def queue_suggestions(self, participation: dict[str, Any]) -> None:
        """Put an approved participation on the suggestions due-queue (once: the entry's id
        is ``<meet>:<participant>``), unless this version was already told its matches."""
        if participation["status"] == "approved" and participation.get("suggested_version") != participation["version"]:
            entry = {"meet_id": participation["meet_id"], "participant_id": participation["participant_id"], "version": participation["version"]}
            self.db[SUGGESTIONS_DUE].update_one({"_id": f"{entry['meet_id']}:{entry['participant_id']}"}, {"$set": entry}, upsert=True)

    def suggestions_due(self, limit: int, now: datetime | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` entries of the due-queue (a collection as long as the work
        pending) that may be worked at ``now`` (an entry with a later
        ``not_before`` waits; None takes every entry)."""
        query = {} if now is None else {"$or": [{"not_before": {"$exists": False}}, {"not_before": {"$lte": now}}]}
        return list(self.db[SUGGESTIONS_DUE].find(query).limit(limit))

    def suggestions_done(self, entry: dict[str, Any]) -> None:
        """Take an entry off the queue, unless a newer approval re-queued it meanwhile."""
        self.db[SUGGESTIONS_DUE].delete_one({"_id": entry["_id"], "version": entry["version"]})

    def queue_refresh(self, participation: dict[str, Any], not_before: datetime) -> None:
        """Queue a participant already told their best matches to be worked out again (new
        counterparts were approved), not before ``not_before``. An entry that is
        already queued keeps its place."""
        entry = {"meet_id": participation["meet_id"], "participant_id": participation["participant_id"], "version": participation["version"],
                 "refresh": True, "not_before": not_before}
        key = f"{entry['meet_id']}:{entry['participant_id']}"
        self.db[SUGGESTIONS_DUE].update_one({"_id": key}, {"$setOnInsert": entry}, upsert=True)

    def announce_suggestions(self, participation: dict[str, Any], topic: str, events: list[Event], told: dict[str, Any]) -> bool:
        """Publish a participation version's best matches once, recording ``told`` (what
        they were told, when: ``suggested_top``, ``suggested_floor``, ``suggested_at``) with
        it. The first time for a version, False if it was already announced; a refresh
        (the version already told), False unless ``suggested_at`` is still what was read,
        so a second worker's attempt or a retry sends nothing twice."""
        version = participation["version"]
        query: dict[str, Any] = {"_id": participation["_id"], "version": version}
        if participation.get("suggested_version") == version:
            query.update(suggested_version=version, suggested_at=participation.get("suggested_at"))
        else:
            query["suggested_version"] = {"$ne": version}
        entries = [outbox.outbox_entry(topic, e) for e in events]
        return outbox.update_one(self.db, PARTICIPATION, query, {"$set": {"suggested_version": version, **told}}, entries).modified_count == 1

    def mark_repair(self, participation: dict[str, Any], done: bool) -> bool:
        """Record on a participation version that left the meet that the published schedule
        is being repaired for it (``done`` False, before any meeting changes) or has been
        (``done`` True, last). False if a newer version is stored meanwhile."""
        version = participation["version"]
        query = {"_id": f"{participation['meet_id']}:{participation['participant_id']}", "version": version}
        return self.db[PARTICIPATION].update_one(query, {"$set": {"repair": {"version": version, "done": done}}}).matched_count == 1

    def approved(self, meet_id: str) -> list[dict[str, Any]]:
        """The approved participation documents of a meet (roster, then by ``_id``)."""
        ids = [f"{meet_id}:{p}" for p in sorted(self.roster(meet_id))]
        return [d for d in by_ids(self.db[PARTICIPATION], ids) if d.get("status") == "approved"]

    def check_in(self, meet_id: str, participant_id: str) -> None:
        self.db[PARTICIPATION].update_one({"_id": f"{meet_id}:{participant_id}"}, {"$set": {"checked_in": True}})

    def participation(self, meet_id: str, participant_id: str) -> dict[str, Any] | None:
        return self.db[PARTICIPATION].find_one({"_id": f"{meet_id}:{participant_id}"})

    def meets_of(self, participant_id: str) -> list[str]:
        """The ids of the meets the participant applied to: a query over every meet's
        participation (indexed on MongoDB, a scan on FerretDB), for what is rare (a profile
        that gave up a language), never on a hot path."""
        return sorted(d["meet_id"] for d in self.db[PARTICIPATION].find({"participant_id": participant_id}, {"meet_id": 1}))


class _PerMeet:
    """Entries kept in one document per meet, under ``field.<key>``."""

    def __init__(self, db: Database, collection: str, field: str):
        self.collection = db[collection]
        self.field = field

    def _put(self, meet_id: str, key_parts: tuple[str, ...], entry: dict[str, Any]) -> None:
        self.collection.update_one({"_id": meet_id}, {"$set": {f"{self.field}.{field_key(*key_parts)}": entry}}, upsert=True)

    def for_meet(self, meet_id: str) -> list[dict[str, Any]]:
        doc = self.collection.find_one({"_id": meet_id}) or {}
        return list((doc.get(self.field) or {}).values())


POOL_CHANGE = "changing"


class InterpreterStore(_PerMeet):
    """The meet's pool of interpreters: the languages each covers and the slots they work."""

    def __init__(self, db: Database):
        super().__init__(db, INTERPRETER_POOLS, "pool")

    def put(self, meet_id: str, interpreter_id: str, name: str, languages: list[str], availability: list[str]) -> None:
        entry = {"meet_id": meet_id, "interpreter_id": interpreter_id, "name": name, "languages": languages, "availability": availability}
        self._put(meet_id, (interpreter_id,), entry)

    def remove(self, meet_id: str, interpreter_id: str) -> None:
        self.collection.update_one({"_id": meet_id}, {"$unset": {f"{self.field}.{field_key(interpreter_id)}": ""}})

    def begin_change(self, meet_id: str, token: str, now: datetime, until: datetime) -> bool:
        """Take the meet's pool for one change, a lease named ``token`` until ``until``
        (aware datetimes); False while another change holds a lease not yet run out. One
        write: the upsert's insert of an existing ``_id`` fails atomically."""
        try:
            self.collection.update_one({"_id": meet_id, "$or": [{POOL_CHANGE: None}, {f"{POOL_CHANGE}.until": {"$lt": now}}]},
                                       {"$set": {POOL_CHANGE: {"token": token, "until": until}}}, upsert=True)
            return True
        except DuplicateKeyError:
            return False

    def end_change(self, meet_id: str, token: str) -> None:
        """Give the pool back, if the lease ``token`` still holds it."""
        self.collection.update_one({"_id": meet_id, f"{POOL_CHANGE}.token": token}, {"$unset": {POOL_CHANGE: ""}})


class PreferenceStore(_PerMeet):
    """What each participant said about a counterpart (must meet, would like, no thanks)."""

    def __init__(self, db: Database):
        super().__init__(db, PREFERENCE_SETS, "said")

    def put(self, meet_id: str, participant_id: str, counterpart_id: str, role: str, preference: str) -> None:
        entry = {"meet_id": meet_id, "participant_id": participant_id, "counterpart_id": counterpart_id, "role": role, "preference": preference}
        self._put(meet_id, (participant_id, counterpart_id), entry)


class ScheduleStore:
    """``schedules/<meet>``: the draft under review, locks, and the publication state.

    While ``publishing`` names the draft being published, the draft cannot be replaced:
    a publication that stopped part-way is completed by publishing again."""

    def __init__(self, db: Database, topic: str):
        self.db = db
        self.topic = topic

    def save_draft(self, meet_id: str, draft: dict[str, Any]) -> None:
        """Raises ``PublicationUnfinished`` while a publication of the stored draft is under way."""
        try:
            self.db[SCHEDULES].update_one({"_id": meet_id, "publishing": None}, {"$set": {"draft": draft}}, upsert=True)
        except DuplicateKeyError:
            raise PublicationUnfinished(meet_id) from None

    def get(self, meet_id: str) -> dict[str, Any] | None:
        return self.db[SCHEDULES].find_one({"_id": meet_id}, HIDDEN)

    def save_report(self, meet_id: str, draft_id: str, report: dict[str, Any]) -> None:
        """Keep the report of draft ``draft_id`` (left out, without meetings, per person,
        required missing: JSON values) in ``draft_reports/<meet>``, apart from the draft
        that publishing reads, replacing the previous draft's. It is kept as one JSON text:
        a national meet's report lists some 14,000 pairs left out, and FerretDB's cost
        grows with the fields it converts, not with the length of one string."""
        doc = {"_id": meet_id, "draft_id": draft_id, "report": json.dumps(report, separators=(",", ":"))}
        self.db[DRAFT_REPORTS].replace_one({"_id": meet_id}, doc, upsert=True)

    def report(self, meet_id: str, draft_id: str) -> dict[str, Any] | None:
        """The kept report of draft ``draft_id``; None when the stored one is another
        draft's, or none is kept."""
        doc = self.db[DRAFT_REPORTS].find_one({"_id": meet_id})
        if doc is None or doc.get("draft_id") != draft_id:
            return None
        return json.loads(doc["report"])

    def put_lock(self, meet_id: str, lock: dict[str, Any]) -> None:
        """Pin a meeting to a slot (and table) for every re-run of the draft: one lock per
        pair (``locks_by_pair``, one write; a second lock of the pair replaces the first)."""
        key = f"locks_by_pair.{field_key(lock['seller_id'], lock['buyer_id'])}"
        self.db[SCHEDULES].update_one({"_id": meet_id}, {"$set": {key: lock}}, upsert=True)

    def remove_lock(self, meet_id: str, seller_id: str, buyer_id: str) -> None:
        """Unpin a pair (also from the list older versions kept)."""
        key = f"locks_by_pair.{field_key(seller_id, buyer_id)}"
        self.db[SCHEDULES].update_one({"_id": meet_id}, {"$unset": {key: ""}, "$pull": {"locks": {"seller_id": seller_id, "buyer_id": buyer_id}}})

    def locks(self, meet_id: str) -> list[dict[str, Any]]:
        """The meet's locks, one per pair."""
        doc = self.db[SCHEDULES].find_one({"_id": meet_id}, {"locks": 1, "locks_by_pair": 1}) or {}
        by_pair = {(lock["seller_id"], lock["buyer_id"]): lock for lock in doc.get("locks") or []}
        by_pair.update({(lock["seller_id"], lock["buyer_id"]): lock for lock in (doc.get("locks_by_pair") or {}).values()})
        return list(by_pair.values())

    def begin_publication(self, meet_id: str, draft_id: str) -> None:
        self.db[SCHEDULES].update_one({"_id": meet_id}, {"$set": {"publishing": draft_id}})

    def mark_published(self, meet_id: str, draft_id: str, published: dict[str, Any], events: list[Event]) -> bool:
        """End the publication of ``draft_id`` with its events; False if it had already ended."""
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        update = {"$set": {"published": {**published, "draft_id": draft_id}}, "$unset": {"publishing": ""}}
        return outbox.update_one(self.db, SCHEDULES, {"_id": meet_id, "publishing": draft_id}, update, entries).modified_count == 1


class RequestStore:
    """Meeting requests; ``request_counts/<meet>:<from>`` lists the ids each person sent."""

    def __init__(self, db: Database, topic: str):
        self.collection = db[REQUESTS]
        self.counts = db[REQUEST_COUNTS]
        self.topic = topic

    def add(self, request: dict[str, Any], events: list[Event], cap: int | None = None) -> bool:
        """Count a request against its sender, then insert it once; False if it exists.
        Raises ``RequestCapReached`` if the sender has sent ``cap`` others already."""
        if not self.count_sent(request["meet_id"], request["from_id"], request["_id"], cap):
            raise RequestCapReached(request["from_id"])
        try:
            outbox.insert_one(self.collection.database, REQUESTS, request, [outbox.outbox_entry(self.topic, e) for e in events])
            return True
        except DuplicateKeyError:
            return False

    def count_sent(self, meet_id: str, from_id: str, request_id: str, cap: int | None) -> bool:
        """Add ``request_id`` to what its sender sent, unless ``cap`` others are there
        (counted again, it changes nothing). One guarded write, so concurrent requests
        cannot pass the cap together. False if the cap is reached."""
        guard: dict[str, Any] = {"_id": f"{meet_id}:{from_id}", "sent": {"$ne": request_id}}
        if cap is not None:
            guard[f"sent.{cap - 1}"] = {"$exists": False}
        try:
            counted = self.counts.update_one(guard, {"$push": {"sent": request_id}}, upsert=True)
            if counted.modified_count or counted.upserted_id is not None:
                return True
        except DuplicateKeyError:
            pass
        return request_id in (self.counts.find_one({"_id": guard["_id"]}) or {}).get("sent", [])

    def get(self, request_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": request_id}, HIDDEN)

    def decide(self, request_id: str, status: str, events: list[Event]) -> bool:
        """Accept or decline a pending request (once: a second answer changes nothing)."""
        entries = [outbox.outbox_entry(self.topic, e) for e in events]
        return outbox.update_one(self.collection.database, REQUESTS, {"_id": request_id, "status": "pending"}, {"$set": {"status": status}}, entries).modified_count == 1

    def involving(self, meet_id: str, participant_id: str | None) -> list[dict[str, Any]]:
        """Organiser and participant lists of requests: a query over the meet's requests."""
        query: dict[str, Any] = {"meet_id": meet_id}
        if participant_id:
            query["$or"] = [{"from_id": participant_id}, {"to_id": participant_id}]
        return list(self.collection.find(query, HIDDEN))


def _profile(doc: dict[str, Any]) -> ParticipantProfile:
    doc = dict(gi_tags.with_registry_names(doc))
    doc["id"] = doc.pop("_id")
    return ParticipantProfile(**doc)
