"""Matching's read model takes each participant version once, whatever the delivery order."""
import pytest

from shared.mongo import connect
from shared.outbox import pending_count
from services.matching.domain.participants import ParticipantProfile
from services.matching.messages import participant_indexed
from services.matching.store import OUTBOX_COLLECTIONS, ProfileStore, ensure_indexes

pytestmark = pytest.mark.stack


def profile(version: int, name: str = "Mir Crafts") -> ParticipantProfile:
    return ParticipantProfile(id="p1", role="seller", name=name, country="IN", preferred_language="ks", version=version)


def test_same_or_older_versions_change_nothing(settings_for):
    db = connect(settings_for("matching"))
    ensure_indexes(db)
    store = ProfileStore(db, "topic")
    assert store.save_if_newer(profile(1), [participant_indexed(profile(1))]) is True
    assert store.save_if_newer(profile(1), [participant_indexed(profile(1))]) is False
    assert store.save_if_newer(profile(3, "Mir Crafts Cooperative"), [participant_indexed(profile(3))]) is True
    assert store.save_if_newer(profile(2, "stale"), [participant_indexed(profile(2))]) is False
    stored = store.get("p1")
    assert (stored.version, stored.name) == (3, "Mir Crafts Cooperative")
    assert db["participants"].count_documents({}) == 1
    assert pending_count(db, OUTBOX_COLLECTIONS) == 2
