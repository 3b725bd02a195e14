"""A JSON body's booleans are JSON booleans: ``0``, ``1``, ``"yes"`` are refused naming the
field (the OpenAPI documents say ``boolean``), on every body schema that takes one."""
import pytest
from marshmallow import ValidationError

from services.matching.schemas import RatingIn
from services.notifications.schemas import PreferencesIn
from services.registration.schemas import BuyerIn, ClaimReview, MeetIn, Product

BUYER = {"name": "Anna Keller", "organisation": "Keller Living", "buyer_kind": "importer", "email": "anna@keller.example"}


@pytest.mark.parametrize("schema, body, field", [
    (BuyerIn, BUYER, "international"),
    (Product, {"name": "Kani shawl", "category": "handloom"}, "export_ready"),
    (ClaimReview, {}, "verified"),
    (RatingIn, {"stars": 4}, "wants_to_continue"),
    (PreferencesIn, {}, "opted_out"),
    (MeetIn, {}, "historical"),
])
@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_only_true_or_false_is_a_boolean(schema, body, field, value):
    with pytest.raises(ValidationError) as refused:
        schema().load({**body, field: value})
    assert field in refused.value.messages


def test_true_and_false_are_taken_as_they_are():
    assert BuyerIn().load({**BUYER, "international": True})["international"] is True
    assert RatingIn().load({"stars": 4, "wants_to_continue": False})["wants_to_continue"] is False
