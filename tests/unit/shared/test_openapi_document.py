"""What the OpenAPI documents call valid is what the services take: a nullable nested object
is its schema or null (apispec's own spelling took any object), a time zone is one of the
IANA names, and a view's other success answers (a 202 with a job) are documented."""
from flask import Flask
from marshmallow import Schema, fields

from shared.openapi import build_spec, documented
from shared.timezones import TimeZone


class Quantity(Schema):
    value = fields.Str(required=True)


class Body(Schema):
    minimum_order = fields.Nested(Quantity, load_default=None)
    timezone = TimeZone(load_default="Asia/Kolkata")
    amount = fields.Str(metadata={"json_schema": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})


class Job(Schema):
    id = fields.Str()


def _spec():
    app = Flask(__name__)

    @app.post("/things")
    @documented("Make things", body=Body, response=Quantity, also=((202, Job),))
    def things():
        return {}

    return build_spec(app, "test", "1")


def test_a_nullable_nested_object_is_its_schema_or_null():
    branches = _spec()["components"]["schemas"]["Body"]["properties"]["minimum_order"]["anyOf"]
    assert {"$ref": "#/components/schemas/Quantity"} in branches
    assert [b for b in branches if "$ref" not in b] == [{"type": "object", "nullable": True, "enum": [None]}]


def test_a_time_zone_is_one_of_the_iana_names():
    zone = _spec()["components"]["schemas"]["Body"]["properties"]["timezone"]
    assert "Asia/Kolkata" in zone["enum"] and "Asia/Dubai" in zone["enum"] and "IST" not in zone["enum"]


def test_other_success_answers_are_documented():
    responses = _spec()["paths"]["/things"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Quantity"}
    assert responses["202"] == {"description": "Accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}}


def test_a_field_of_more_than_one_json_type_is_documented_by_its_own_schema():
    assert _spec()["components"]["schemas"]["Body"]["properties"]["amount"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}


def test_amounts_are_documented_as_the_text_or_whole_numbers_they_are_taken_as():
    from services.registration.schemas import PriceBand

    amount = PriceBand().fields["min"].metadata["json_schema"]
    assert {branch["type"] for branch in amount["anyOf"]} == {"string", "integer"}
    assert PriceBand().load({"min": 1200, "max": "1500.5", "unit": "piece"})["min"] == "1200.00"
