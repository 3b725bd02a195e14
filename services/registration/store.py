"""Registration's MongoDB collections, and the writes that carry outbox events.

Every read and write of a single record names it by ``_id``: participants, meets and
applications by their ids (an application's is derived from meet and participant), a
meet's applications through its list of applicants (``applicants``, in parts),
identity keys by the key itself (``identities.py``), a participant's live verification
code inside the participant's own document. Lists and reports (``list``,
``ecommerce_counts``) are queries over history by nature; no write path uses them.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict
from datetime import date, datetime, time, timezone
from time import monotonic
from typing import Any
from zlib import crc32

from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared import correlation, gi_tags, outbox
from shared.envelope import Event
from shared.pagination import Page, page

from services.registration.domain.applications import Application, application_id
from services.registration.domain.errors import Conflict
from services.registration.domain.meets import Break, Meet
from services.registration.domain.participants import Claim, Participant, StaffAction, import_identity_keys
from services.registration.domain.reference import SEED, Reference
from services.registration.identities import IDENTITIES, Identities, duplicate_indexes

PARTICIPANTS, MEETS, APPLICATIONS, REFERENCE_STATES = "participants", "meets", "applications", "reference_states"
APPLICANTS = "applicants"
APPLICANT_PARTS = 32
READERS = 4
MIGRATED = "registration_migrated"
EMAIL_IDENTITIES = "email_identities"
OUTBOX_COLLECTIONS = [PARTICIPANTS, MEETS, APPLICATIONS]
# Read whole, but small whatever the history: one document per state or UT loaded by organisers.
BOUNDED_COLLECTIONS = (REFERENCE_STATES,)
CODE = "_code"
REMAP = "_remap"
HIDDEN = {outbox.OUTBOX: 0, outbox.PENDING: 0, CODE: 0}


def ensure_indexes(db: Database) -> None:
    """Indexes for the organisers' lists, the one-off rewrite of GI tags stored under the
    names the platform used before (``shared/gi_tags.py``) and the one-off claim of the
    email keys of participants stored before imports recognised them by email."""
    for field in ("role", "district", "registered_at", "name", "products.category"):
        db[PARTICIPANTS].create_index(field)
    db[MEETS].create_index("status")
    db[APPLICATIONS].create_index([("meet_id", ASCENDING), ("status", ASCENDING)])
    db[APPLICATIONS].create_index("participant_id")
    gi_tags.rename_stored_once(db, PARTICIPANTS, MIGRATED)
    adopt_email_identities(db)


def _applicants_part(meet_id: str, participant_id: str) -> str:
    return f"{meet_id}:{crc32(participant_id.encode()) % APPLICANT_PARTS}"


def _list_applicant(db: Database, meet_id: str, participant_id: str) -> None:
    db[APPLICANTS].update_one({"_id": _applicants_part(meet_id, participant_id)}, {"$addToSet": {"ids": participant_id}}, upsert=True)


def _applicants_listed(meet_id: str) -> str:
    """The ``_id`` of the note that every application to the meet is on its list."""
    return f"{meet_id}:listed"


def adopt_email_identities(db: Database) -> int:
    """Once per database: claim the email key (``import_identity_keys``) of every
    participant stored with neither phone nor GSTIN before imports recognised them by
    email, so an import recognises them too. Where two share an address the first claim
    stands. A marker keeps this scan of the whole collection from running twice; returns
    how many keys were claimed."""
    if db[MIGRATED].find_one({"_id": EMAIL_IDENTITIES}):
        return 0
    claims = {}
    for doc in db[PARTICIPANTS].find({"phone": None, "gstin": None, "email": {"$ne": None}}, {"phone": 1, "gstin": 1, "email": 1}):
        for key in import_identity_keys(doc.get("phone"), doc.get("gstin"), doc.get("email")):
            claims.setdefault(key, doc["_id"])
    taken = Identities(db, lambda *_: True).claim_first(list(claims.items()))
    db[MIGRATED].update_one({"_id": EMAIL_IDENTITIES}, {"$set": {"at": datetime.now(timezone.utc), "claimed": len(claims) - len(taken)}}, upsert=True)
    return len(claims) - len(taken)


class AlreadyStored(Exception):
    """A participant with this id is stored already: an earlier attempt of the same
    request (same Idempotency-Key) landed, though its answer was lost."""


class _Store:
    def __init__(self, db: Database, topic: str):
        self.db = db
        self.topic = topic

    def _entries(self, events: list[Event]) -> list[dict[str, Any]]:
        return [outbox.outbox_entry(self.topic, e) for e in events]

    def _replace(self, collection: str, doc_id: str, fields: dict[str, Any], expected_version: int, events: list[Event]) -> bool:
        """Write ``fields`` if the stored version is ``expected_version``; bump the version."""
        fields = {k: v for k, v in fields.items() if k not in ("_id", "version")}
        fields["correlation_id"] = correlation.correlation_id()
        update = {"$set": {**fields, "version": expected_version + 1}}
        result = outbox.update_one(self.db, collection, {"_id": doc_id, "version": expected_version}, update, self._entries(events))
        return result.modified_count == 1


class ParticipantStore(_Store):
    """Participants, with their identity claims and their live verification code.

    A code is ``{"hash", "expires_at", "attempts"}``, kept in the participant's document
    (never read by lists, events or responses), so registering writes one document.
    """

    def __init__(self, db: Database, topic: str):
        super().__init__(db, topic)
        self.identities = Identities(db, self.holds_identity)

    def add(self, participant: Participant, events: list[Event], code: dict[str, Any] | None = None) -> None:
        """Insert a new participant; Conflict if their phone or GSTIN is already registered.

        Round trips: the identity claims (one insert), the participant with its events
        (an insert between the two outbox pointer writes); nothing is read back.
        """
        keys = participant.identity_keys
        self.identities.claim_all(keys, participant.id)
        try:
            outbox.insert_one(self.db, PARTICIPANTS, self._document(participant, code), self._entries(events))
        except DuplicateKeyError as exc:
            if self.exists(participant.id):
                raise AlreadyStored(participant.id) from None
            self.identities.release_after_failure(keys, participant.id, exc)
            raise
        except BaseException as exc:
            self.identities.release_after_failure(keys, participant.id, exc)
            raise

    def add_claimed(self, batch: list[tuple[Participant, list[Event], dict[str, Any]]]) -> None:
        """Insert participants whose identities the caller has claimed, in one insert; any
        already stored under the same id (an interrupted run done again) stays as it is."""
        if not batch:
            return
        documents = [outbox.new_document(self._document(p, code), self._entries(events)) for p, events, code in batch]
        with ExitStack() as pointers:
            for participant, _, _ in batch:
                pointers.enter_context(outbox.writing(self.db, PARTICIPANTS, participant.id))
            try:
                self.db[PARTICIPANTS].insert_many(documents, ordered=False)
            except BulkWriteError as exc:
                duplicate_indexes(exc)

    def _document(self, participant: Participant, code: dict[str, Any] | None) -> dict[str, Any]:
        doc = {**_participant_doc(participant), "correlation_id": correlation.correlation_id()}
        if code:
            doc[CODE] = code
        return doc

    def exists(self, participant_id: str) -> bool:
        return self.db[PARTICIPANTS].find_one({"_id": participant_id}, {"_id": 1}) is not None

    def holds_identity(self, participant_id: str, key: str) -> bool:
        """True if ``participant_id`` is stored with ``key`` among its identity keys (a claim
        whose participant is not, or no longer has that phone, GSTIN or, email-only,
        that email address, is an orphan)."""
        doc = self.db[PARTICIPANTS].find_one({"_id": participant_id}, {"phone": 1, "gstin": 1, "email": 1})
        return doc is not None and key in import_identity_keys(doc.get("phone"), doc.get("gstin"), doc.get("email"))

    def find_by_identity(self, keys: list[str]) -> Participant | None:
        owner = self.identities.holder(keys)
        return self.get(owner) if owner else None

    def get(self, participant_id: str) -> Participant | None:
        doc = self.db[PARTICIPANTS].find_one({"_id": participant_id}, HIDDEN)
        return _participant(doc) if doc else None

    def get_with_code(self, participant_id: str) -> tuple[Participant, dict[str, Any] | None] | None:
        """The participant and their live verification code (None when there is none)."""
        doc = self.db[PARTICIPANTS].find_one({"_id": participant_id}, {outbox.OUTBOX: 0, outbox.PENDING: 0})
        if doc is None:
            return None
        code = doc.pop(CODE, None)
        return _participant(doc), code

    def put_code(self, participant_id: str, code: dict[str, Any], events: list[Event]) -> None:
        """Replace the live code and publish its events, in one write."""
        outbox.update_one(self.db, PARTICIPANTS, {"_id": participant_id}, {"$set": {CODE: code}}, self._entries(events))

    def announce(self, participant_id: str, events: list[Event]) -> None:
        """Publish events about a participant without changing it (through its outbox)."""
        outbox.update_one(self.db, PARTICIPANTS, {"_id": participant_id}, {}, self._entries(events))

    def count_code_attempt(self, participant_id: str) -> None:
        self.db[PARTICIPANTS].update_one({"_id": participant_id}, {"$inc": {f"{CODE}.attempts": 1}})

    def spend_code(self, participant_id: str, code_hash: str) -> bool:
        """Use the code up; True only for the one request that does."""
        result = self.db[PARTICIPANTS].update_one({"_id": participant_id, f"{CODE}.hash": code_hash}, {"$unset": {CODE: ""}})
        return result.modified_count == 1

    def save(self, participant: Participant, expected_version: int, events: list[Event], previous: Participant | None = None) -> bool:
        """Write a changed participant if nobody changed it since ``expected_version``;
        identities that changed are claimed first and the old ones released after."""
        new_keys = [k for k in participant.identity_keys if k not in (previous.identity_keys if previous else [])]
        self.identities.claim_all(new_keys, participant.id)
        try:
            saved = self._replace(PARTICIPANTS, participant.id, _participant_doc(participant), expected_version, events)
        except BaseException as exc:
            self.identities.release_after_failure(new_keys, participant.id, exc)
            raise
        if not saved:
            self.identities.release(new_keys, participant.id)
        elif previous:
            self.identities.release([k for k in previous.identity_keys if k not in participant.identity_keys], participant.id)
        return saved

    def list(self, query: dict[str, Any], sort: str, limit: int, cursor: str | None) -> tuple[list[Participant], str | None]:
        result: Page = page(self.db[PARTICIPANTS], query, sort, limit, cursor, HIDDEN)
        return [_participant(d) for d in result.items], result.next_cursor

    def ecommerce_counts(self) -> dict[str, dict[str, int]]:
        """A report over every seller: reads the whole collection (organisers only)."""
        counts: dict[str, dict[str, int]] = {}
        for doc in self.db[PARTICIPANTS].find({"role": "seller"}, {"ecommerce": 1}):
            for channel, status in (doc.get("ecommerce") or {}).items():
                counts.setdefault(channel, {}).setdefault(status, 0)
                counts[channel][status] += 1
        return counts


class MeetStore(_Store):
    def add(self, meet: Meet, events: list[Event]) -> None:
        """Insert a new meet, noted as listing all its applicants (it has none yet)."""
        doc = {**_meet_doc(meet), "approved": {"seller": 0, "buyer": 0}, "correlation_id": correlation.correlation_id()}
        self.db[APPLICANTS].update_one({"_id": _applicants_listed(meet.id)}, {"$set": {"at": datetime.now(timezone.utc)}}, upsert=True)
        outbox.insert_one(self.db, MEETS, doc, self._entries(events))

    def get(self, meet_id: str) -> tuple[Meet, dict[str, int]] | None:
        doc = self.db[MEETS].find_one({"_id": meet_id}, HIDDEN)
        return (_meet(doc), doc.get("approved", {})) if doc else None

    def save(self, meet: Meet, expected_version: int, events: list[Event], slots_before: Meet | None = None) -> bool:
        """Write a changed meet if nobody changed it since ``expected_version``. With
        ``slots_before`` (the meet before an edit that changed its slots), the same write
        leaves the pending remap of its applications (``pending_remap``)."""
        fields = _meet_doc(meet)
        if slots_before is not None:
            fields[REMAP] = {"version": meet.version, "before": _meet_doc(slots_before)}
        return self._replace(MEETS, meet.id, fields, expected_version, events)

    def pending_remap(self, meet_id: str) -> tuple[int, Meet] | None:
        """(the meet version whose slots the applications must be brought onto, the meet
        before that edit) while a remap is not known to be complete, else None."""
        doc = self.db[MEETS].find_one({"_id": meet_id}, {REMAP: 1})
        remap = (doc or {}).get(REMAP)
        return (remap["version"], _meet(remap["before"])) if remap else None

    def remap_done(self, meet_id: str, version: int) -> None:
        """Forget the pending remap of ``version`` (not a later one left meanwhile)."""
        self.db[MEETS].update_one({"_id": meet_id, f"{REMAP}.version": version}, {"$unset": {REMAP: ""}})

    def list(self, query: dict[str, Any], sort: str, limit: int, cursor: str | None) -> tuple[list[tuple[Meet, dict]], str | None]:
        result = page(self.db[MEETS], query, sort, limit, cursor, HIDDEN)
        return [(_meet(d), d.get("approved", {})) for d in result.items], result.next_cursor

    def take_place(self, meet_id: str, role: str, capacity: int) -> bool:
        """Count one more approved participant of ``role`` unless the meet is full (atomic)."""
        field = f"approved.{role}"
        result = self.db[MEETS].update_one({"_id": meet_id, field: {"$lt": capacity}}, {"$inc": {field: 1}})
        return result.modified_count == 1

    def free_place(self, meet_id: str, role: str) -> None:
        self.db[MEETS].update_one({"_id": meet_id}, {"$inc": {f"approved.{role}": -1}})


class ApplicationStore(_Store):
    """Applications by ``<meet>:<participant>``, and each meet's list of applicants
    (``applicants/<meet>:<part>``, ``APPLICANT_PARTS`` parts so that applying rewrites a
    small document) through which a meet's applications are read by ``_id``."""

    def add(self, application: Application, events: list[Event]) -> None:
        """Insert a new application, listed on its meet first (an applicant listed whose
        application did not land is passed over by ``of_meet``); Conflict if the
        participant has applied already."""
        _list_applicant(self.db, application.meet_id, application.participant_id)
        doc = {"_id": application.id, **application.as_dict(), "correlation_id": correlation.correlation_id()}
        try:
            outbox.insert_one(self.db, APPLICATIONS, doc, self._entries(events))
        except DuplicateKeyError:
            raise Conflict("This participant has already applied to this meet.", "participant_id", application.id) from None

    def get(self, application_id: str) -> Application | None:
        doc = self.db[APPLICATIONS].find_one({"_id": application_id}, HIDDEN)
        return _application(doc) if doc else None

    def save(self, application: Application, expected_version: int, events: list[Event]) -> bool:
        return self._replace(APPLICATIONS, application.id, application.as_dict(), expected_version, events)

    def save_each(self, writes: list[tuple[Application, int, list[Event]]]) -> int:
        """``save`` of many applications in one bulk write (``outbox.update_each``); each
        lands only if its stored version is still the expected one. Returns how many
        landed (fewer: read them back to know which)."""
        batch = []
        for application, expected, events in writes:
            fields = {k: v for k, v in application.as_dict().items() if k != "version"}
            update = {"$set": {**fields, "correlation_id": correlation.correlation_id(), "version": application.version}}
            batch.append(({"_id": application.id, "version": expected}, update, self._entries(events)))
        result = outbox.update_each(self.db, APPLICATIONS, batch)
        return result.modified_count if result else 0

    def of_meet(self, meet_id: str) -> list[Application]:
        """Every application to the meet: its list of applicants, then each application by
        ``_id`` (a few readers at once), whatever else is stored. A meet created before
        meets listed their applicants has them listed first, once (``list_applicants``)."""
        if self.db[APPLICANTS].find_one({"_id": _applicants_listed(meet_id)}) is None:
            self.list_applicants(meet_id)
        parts = [self.db[APPLICANTS].find_one({"_id": f"{meet_id}:{n}"}) for n in range(APPLICANT_PARTS)]
        ids = sorted(application_id(meet_id, p) for part in parts if part for p in part.get("ids", ()))
        with ThreadPoolExecutor(READERS) as pool:
            found = list(pool.map(lambda i: self.db[APPLICATIONS].find_one({"_id": i}, HIDDEN), ids))
        return [_application(d) for d in found if d is not None]

    def list_applicants(self, meet_id: str) -> int:
        """Put every stored application to the meet on its list, then note that the list
        is complete (applications made meanwhile list themselves). A query on ``meet_id``,
        which reads the whole collection on FerretDB: once per meet created before meets
        listed their applicants. Returns how many were found."""
        parts: dict[str, list[str]] = {}
        for doc in self.db[APPLICATIONS].find({"meet_id": meet_id}, {"participant_id": 1}):
            parts.setdefault(_applicants_part(meet_id, doc["participant_id"]), []).append(doc["participant_id"])
        if parts:
            self.db[APPLICANTS].bulk_write([UpdateOne({"_id": part}, {"$addToSet": {"ids": {"$each": ids}}}, upsert=True) for part, ids in parts.items()])
        self.db[APPLICANTS].update_one({"_id": _applicants_listed(meet_id)}, {"$set": {"at": datetime.now(timezone.utc)}}, upsert=True)
        return sum(len(ids) for ids in parts.values())

    def list(self, query: dict[str, Any], sort: str, limit: int, cursor: str | None) -> tuple[list[Application], str | None]:
        result = page(self.db[APPLICATIONS], query, sort, limit, cursor, HIDDEN)
        return [_application(d) for d in result.items], result.next_cursor


def _participant_doc(participant: Participant) -> dict[str, Any]:
    doc = participant.as_dict()
    doc["_id"] = doc.pop("id")
    doc["claims"] = [{**c, "valid_until": _iso(c["valid_until"])} for c in doc["claims"]]
    return doc


def _participant(doc: dict[str, Any]) -> Participant:
    doc = {k: v for k, v in gi_tags.with_registry_names(doc).items() if k not in ("correlation_id", CODE)}
    doc["id"] = doc.pop("_id")
    doc["claims"] = [Claim(**{**c, "valid_until": _date(c.get("valid_until"))}) for c in doc.get("claims", [])]
    doc["staff_actions"] = [StaffAction(**a) for a in doc.get("staff_actions", [])]
    return Participant(**doc)


def _meet_doc(meet: Meet) -> dict[str, Any]:
    doc = asdict(meet)
    doc["_id"] = doc.pop("id")
    doc["days"] = [d.isoformat() for d in meet.days]
    doc["session_start"], doc["session_end"] = _hhmm(meet.session_start), _hhmm(meet.session_end)
    doc["breaks"] = [{"start": _hhmm(b.start), "end": _hhmm(b.end)} for b in meet.breaks]
    return doc


def _meet(doc: dict[str, Any]) -> Meet:
    doc = {k: v for k, v in doc.items() if k not in ("approved", "correlation_id", REMAP)}
    doc["id"] = doc.pop("_id")
    doc["days"] = [date.fromisoformat(d) for d in doc["days"]]
    doc["session_start"], doc["session_end"] = time.fromisoformat(doc["session_start"]), time.fromisoformat(doc["session_end"])
    doc["breaks"] = [Break(time.fromisoformat(b["start"]), time.fromisoformat(b["end"])) for b in doc.get("breaks", [])]
    return Meet(**doc)


def _application(doc: dict[str, Any]) -> Application:
    doc = {k: v for k, v in doc.items() if k != "correlation_id"}
    doc.pop("_id")
    return Application(**doc)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


class ReferenceStore:
    """States loaded by organisers on top of the seed, cached per process for a short while."""

    TTL_SECONDS = 30.0

    def __init__(self, db: Database):
        self.collection = db[REFERENCE_STATES]
        self._cached: tuple[float, Reference] | None = None

    def put_state(self, state: str, districts: list[str], odop: dict[str, list[str]]) -> None:
        self.collection.replace_one({"_id": state}, {"_id": state, "districts": districts, "odop": odop}, upsert=True)
        self._cached = None

    def load(self) -> Reference:
        now = monotonic()
        if self._cached and now - self._cached[0] < self.TTL_SECONDS:
            return self._cached[1]
        reference = SEED
        for doc in self.collection.find():
            reference = reference.with_state(doc["_id"], doc["districts"], doc.get("odop", {}))
        self._cached = (now, reference)
        return reference


def seed_documents(participant: Participant) -> list[tuple[str, dict[str, Any]]]:
    """(collection, document) pairs a stored participant consists of, as this store writes
    them, for loading many at once (benchmarks)."""
    claims = [(IDENTITIES, {"_id": key, "participant_id": participant.id}) for key in participant.identity_keys]
    return [(PARTICIPANTS, _participant_doc(participant))] + claims
