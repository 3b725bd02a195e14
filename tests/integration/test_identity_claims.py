"""Unique phone and GSTIN without multi-document transactions, on the real FerretDB."""
import time
from datetime import datetime, timedelta, timezone

import pymongo
import pytest
from pymongo.errors import NetworkTimeout, OperationFailure

from shared import outbox
from shared.mongo import connect
from services.registration.domain.errors import Conflict
from services.registration.domain.participants import register_participant
from services.registration.store import IDENTITIES, PARTICIPANTS, ParticipantStore, ensure_indexes

pytestmark = pytest.mark.stack


def seller(phone="+919811000001", gstin=None):
    return register_participant(role="seller", name="Weaver", country="IN", preferred_language="ks", phone=phone, gstin=gstin)


@pytest.fixture
def store(settings_for):
    db = connect(settings_for("registration"))
    ensure_indexes(db)
    return ParticipantStore(db, "topic")


def test_a_second_participant_with_the_same_phone_is_a_conflict_naming_the_first(store):
    first = seller()
    store.add(first, [])
    with pytest.raises(Conflict) as conflict:
        store.add(seller(), [])
    assert conflict.value.existing_id == first.id
    assert store.db[PARTICIPANTS].count_documents({}) == 1


def test_a_refused_registration_releases_the_claims_it_made(store):
    store.add(seller(phone="+919811000002", gstin="27AAPFU0939F1ZV"), [])
    with pytest.raises(Conflict):
        store.add(seller(phone="+919811000003", gstin="27AAPFU0939F1ZV"), [])
    assert store.db[IDENTITIES].find_one({"_id": "phone:+919811000003"}) is None


def test_a_claim_left_by_a_crash_is_taken_over(store):
    orphan = seller(phone="+919811000004")
    store.db[IDENTITIES].insert_one({"_id": "phone:+919811000004", "participant_id": orphan.id})  # crashed before the insert
    retry = seller(phone="+919811000004")
    store.add(retry, [])
    assert store.find_by_identity(["phone:+919811000004"]).id == retry.id


def _backdate(store, key: str, seconds: int = 120) -> None:
    store.db[IDENTITIES].update_one({"_id": key}, {"$set": {"at": datetime.now(timezone.utc) - timedelta(seconds=seconds)}})


def test_a_registration_whose_write_timed_out_keeps_its_claims_until_they_prove_orphaned(store, monkeypatch):
    first = seller(phone="+919811000005")
    real_insert = outbox.insert_one

    def times_out(*args, **kwargs):
        raise NetworkTimeout("the database took too long (the insert may still land)")

    monkeypatch.setattr(outbox, "insert_one", times_out)
    with pytest.raises(NetworkTimeout):
        store.add(first, [])
    monkeypatch.setattr(outbox, "insert_one", real_insert)
    assert store.db[IDENTITIES].find_one({"_id": "phone:+919811000005"})["participant_id"] == first.id
    with pytest.raises(Conflict):
        store.add(seller(phone="+919811000005"), [])
    _backdate(store, "phone:+919811000005")
    retry = seller(phone="+919811000005")
    store.add(retry, [])
    assert store.find_by_identity(["phone:+919811000005"]).id == retry.id


def test_a_registration_refused_by_the_database_releases_its_claims_even_with_its_budget_spent(store, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationFailure("document too large", 10334)

    monkeypatch.setattr(outbox, "insert_one", refused)
    with pymongo.timeout(0.001):
        time.sleep(0.01)
        with pytest.raises(OperationFailure):
            store.add(seller(phone="+919811000006"), [])
    assert store.db[IDENTITIES].find_one({"_id": "phone:+919811000006"}) is None


def test_a_claim_left_by_a_change_of_phone_that_did_not_land_is_taken_over(store):
    owner = seller(phone="+919811000007")
    store.add(owner, [])
    store.db[IDENTITIES].insert_one({"_id": "phone:+919811000008", "participant_id": owner.id, "at": datetime.now(timezone.utc)})
    with pytest.raises(Conflict):
        store.add(seller(phone="+919811000008"), [])
    _backdate(store, "phone:+919811000008")
    newcomer = seller(phone="+919811000008")
    store.add(newcomer, [])
    assert store.find_by_identity(["phone:+919811000008"]).id == newcomer.id
    assert store.find_by_identity(["phone:+919811000007"]).id == owner.id
