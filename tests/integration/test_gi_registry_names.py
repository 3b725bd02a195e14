"""GI tags stored under the names the platform used before are rewritten to the registry's
names once when each service starts (registration's and matching's databases), and a
record an earlier process writes afterwards is still read by the registry name."""
import pytest

from shared import gi_tags
from shared.mongo import connect
from services.matching.actions import Matching
from services.matching.store import ensure_indexes as matching_starts
from services.registration.app import create_app
from services.registration.store import ensure_indexes as registration_starts
from tests.api.conftest import ORGANISER, SELLER, register

pytestmark = pytest.mark.stack

OLD_SELLER = {"products": [{"id": "p1", "name": "Boxes", "category": "handicraft", "gi_tag": "Kashmir Papier Mache"},
                           {"id": "p2", "name": "Honey", "category": "food", "gi_tag": "Sulai Honey"}]}
OLD_BUYER = {"sourcing": {"gi_tags": ["Kalari", "Kani Shawl", "Chikri Wood Craft"], "categories": ["handicraft"]}}


def test_registration_rewrites_stored_names_once_and_reads_late_ones_by_the_registry_name(settings_for):
    settings = settings_for("registration")
    client = create_app(settings).test_client()
    seller = register(client, SELLER, phone="+919811000021", gstin=None)
    db = connect(settings)
    db["participants"].update_one({"_id": seller["id"]}, {"$set": OLD_SELLER})
    db["registration_migrated"].delete_many({})

    registration_starts(db)
    stored = db["participants"].find_one({"_id": seller["id"]})
    assert [p["gi_tag"] for p in stored["products"]] == ["Kashmir Paper Machie", "Ramban Sulai Honey"]
    assert db["registration_migrated"].find_one({"_id": gi_tags.MARKER_ID})["rewritten"] == 1

    db["participants"].update_one({"_id": seller["id"]}, {"$set": {"products.0.gi_tag": "Kashmir Papier Mache"}})
    registration_starts(db)
    assert db["participants"].find_one({"_id": seller["id"]})["products"][0]["gi_tag"] == "Kashmir Papier Mache", "once: the marker skips the scan"
    shown = client.get(f"/v1/sellers/{seller['id']}", headers=ORGANISER).get_json()
    assert [p["gi_tag"] for p in shown["products"]] == ["Kashmir Paper Machie", "Ramban Sulai Honey"]


def test_matching_rewrites_stored_profiles_and_reads_them_by_the_registry_name(settings_for):
    settings = settings_for("matching")
    db = connect(settings)
    matching_starts(db)
    db["matching_migrated"].delete_one({"_id": gi_tags.MARKER_ID})
    base = {"name": "X", "country": "IN", "preferred_language": "en", "version": 1}
    db["participants"].insert_many([{"_id": "s1", "role": "seller", **base, **OLD_SELLER}, {"_id": "b1", "role": "buyer", **base, **OLD_BUYER},
                                    {"_id": "b2", "role": "buyer", **base, "sourcing": {"gi_tags": ["Kani Shawl"]}}])

    matching_starts(db)
    assert db["participants"].find_one({"_id": "b1"})["sourcing"] == {
        "gi_tags": ["Udhampur Kalari", "Kani Shawl", "Rajouri Chikri Wood Craft"], "categories": ["handicraft"]}
    assert db["matching_migrated"].find_one({"_id": gi_tags.MARKER_ID})["rewritten"] == 2
    assert gi_tags.rename_stored(db, "participants") == 0, "a second pass finds nothing to rewrite"

    db["participants"].update_one({"_id": "s1"}, {"$set": {"products.0.gi_tag": "Kashmir Papier Mache"}})
    profiles = Matching.on(db, settings.topic("matching.events")).profiles
    assert [p["gi_tag"] for p in profiles.get("s1").products] == ["Kashmir Paper Machie", "Ramban Sulai Honey"]
