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
