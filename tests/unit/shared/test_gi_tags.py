"""GI tags go by the names India's GI Registry registered them under; the names the
platform used before are read as those names wherever a record comes from: an event still
in Kafka, a stored document, the JSON API or an import sheet."""
from datetime import datetime, timezone

import pytest
from marshmallow import ValidationError

from shared import contracts, gi_tags
from shared.contracts import registration
from shared.envelope import Event
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.scoring import score
from services.registration.domain.vocabularies import GI_TAG_ALIASES, gi_tag
from services.registration.schemas import BuyerIn, SellerIn

REGISTRY_NAMES = ("Kashmir Paper Machie", "Kashmiri Hand Knotted Carpet", "Kashmir Pashmina", "Kashmir Sozani Craft", "Kani Shawl",
                  "Kashmir Walnut Wood Carving", "Khatamband", "Kashmir Saffron", "Basohli Painting", "Rajouri Chikri Wood Craft",
                  "Ramban Sulai Honey", "Udhampur Kalari")


def test_the_registry_names_are_the_canonical_ones_and_former_names_are_aliases():
    assert set(REGISTRY_NAMES) <= set(gi_tags.GI_TAGS) and not set(gi_tags.RENAMED) & set(gi_tags.GI_TAGS)
    assert all(gi_tag(name).canonical == name for name in REGISTRY_NAMES)
    assert set(gi_tags.RENAMED.values()) <= set(gi_tags.GI_TAGS)
    for former, registered in gi_tags.RENAMED.items():
        assert former in GI_TAG_ALIASES[registered] and gi_tag(former).canonical == registered


def _seller_event(gi: str) -> Event:
    data = {"participant_id": "s1", "role": "seller", "name": "Dar Works", "country": "IN", "preferred_language": "ks", "version": 3,
            "registered_at": datetime(2025, 6, 1, tzinfo=timezone.utc).isoformat(),
            "products": [{"id": "p1", "name": "Boxes", "category": "handicraft", "gi_tag": gi}]}
    return Event(type=registration.PARTICIPANT_REGISTERED, source="/registration", subject="s1", data=data)


def test_an_event_published_with_a_former_name_is_read_by_the_registry_name():
    read = contracts.read_data(_seller_event("Kashmir Papier Mache"))
    assert read["products"][0]["gi_tag"] == "Kashmir Paper Machie"
    buyer_data = {"participant_id": "b1", "role": "buyer", "name": "Anna", "country": "DE", "preferred_language": "en", "version": 1,
                  "registered_at": "2025-06-01T00:00:00+00:00", "sourcing": {"gi_tags": ["Sulai Honey", "Ramban Sulai Honey", "Kani Shawl"]}}
    buyer = contracts.read_data(Event(type=registration.PARTICIPANT_UPDATED, source="/registration", subject="b1", data=buyer_data))
    assert sorted(set(buyer["sourcing"]["gi_tags"])) == ["Kani Shawl", "Ramban Sulai Honey"]


def test_a_seller_known_by_an_old_event_and_a_buyer_asking_by_the_registry_name_share_one_gi():
    seller = ParticipantProfile.from_registration(contracts.read_data(_seller_event("Kashmir Papier Mache")))
    buyer = ParticipantProfile(id="b1", role="buyer", name="Anna", country="DE", preferred_language="en", version=1,
                               sourcing={"gi_tags": ["Kashmir Paper Machie"]})
    assert "makes GI-tagged Kashmir Paper Machie, which you asked for" in score(seller, buyer).reasons


def test_stored_records_are_read_by_registry_names_each_once():
    record = {"_id": "b1", "products": [{"name": "Honey", "gi_tag": "Sulai Honey"}, {"name": "Box", "gi_tag": None}, "odd"],
              "sourcing": {"gi_tags": ["Kalari", "Udhampur Kalari", "Unknown tag"], "categories": ["food"]}}
    renamed = gi_tags.with_registry_names(record)
    assert renamed["products"] == [{"name": "Honey", "gi_tag": "Ramban Sulai Honey"}, {"name": "Box", "gi_tag": None}, "odd"]
    assert renamed["sourcing"] == {"gi_tags": ["Udhampur Kalari", "Unknown tag"], "categories": ["food"]}
    assert record["products"][0]["gi_tag"] == "Sulai Honey", "the record given is left as it was"
    current = {"_id": "s1", "products": [{"gi_tag": "Kashmir Paper Machie"}]}
    assert gi_tags.with_registry_names(current) is current


def test_the_json_api_takes_a_former_name_as_the_registry_name_and_refuses_unknown_tags():
    product = {"name": "Boxes", "category": "handicraft", "gi_tag": "Kashmir Papier Mache"}
    seller = SellerIn().load({"name": "Ghulam Nabi Dar", "district": "Srinagar", "phone": "+919876543210", "preferred_language": "ks",
                              "products": [product]})
    assert seller["products"][0]["gi_tag"] == "Kashmir Paper Machie"
    buyer = {"name": "Anna Keller", "organisation": "Keller", "buyer_kind": "importer", "country": "DE", "email": "a@k.example",
             "preferred_language": "en"}
    assert BuyerIn().load({**buyer, "sourcing": {"gi_tags": ["Chikri Wood Craft"]}})["sourcing"]["gi_tags"] == ["Rajouri Chikri Wood Craft"]
    with pytest.raises(ValidationError) as refused:
        BuyerIn().load({**buyer, "sourcing": {"gi_tags": ["Leather Shoe Mark"]}})
    assert "sourcing" in refused.value.messages
