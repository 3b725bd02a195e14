"""Unique phone and GSTIN without multi-document transactions, on the real FerretDB."""
import pytest

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
