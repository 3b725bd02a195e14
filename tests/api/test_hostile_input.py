"""Hostile input on every service: broken text, huge or deeply nested bodies, and CSV cells
a spreadsheet would run are refused cleanly (4xx problem+json naming the field) or defused."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import jsonschema_rs
import pytest
from marshmallow import Schema, fields

from shared.text import SafeText
from services.matching.app import create_app as create_matching_app
from services.notifications.app import create_app as create_notifications_app
from services.registration import schemas as registration_schemas
from tests.api.conftest import MEET, ORGANISER, SELLER, open_meet, register, token_for
from tests.api.test_matching_api import buyer, clock_at, matching, meet_with_people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack
REPO = Path(__file__).resolve().parents[2]
BROKEN = {"line feed": "Ghulam\nNabi", "NUL": "Ghulam\x00Nabi", "lone surrogate": "Ghulam\ud800", "escape": "\x1b[31mRed", "carriage return": "Dar\r", "line separator": "Dar\u2028Works",
          "only spaces": "   ", "no-break and ideographic spaces": "\u00a0\u3000", "zero-width spaces": "\u200b\u200b", "a byte order mark": "\ufeff",
          "right-to-left override": "Dar \u202eskroW", "unclosed isolate": "\u2067\u062f\u0627\u0631 Works"}


@pytest.fixture
def apps(app, settings_for):
    return {"registration": app, "matching": create_matching_app(settings_for("matching")), "notifications": create_notifications_app(settings_for("notifications"))}


def _request_schemas(flask_app) -> dict[str, Schema]:
    found = {}
    for view in flask_app.view_functions.values():
        meta = getattr(view, "_openapi", None) or {}
        for schema in (meta.get("body"), meta.get("query")):
            if schema is not None:
                found[schema.__name__] = schema()
    return found


def _unsafe_strings(schema: Schema, path: str):
    for name, field in schema.load_fields.items():
        yield from _unsafe_field(field, f"{path}.{name}")


def _unsafe_field(field, path: str):
    if isinstance(field, fields.Nested):
        yield from _unsafe_strings(field.schema, path)
    elif isinstance(field, fields.List):
        yield from _unsafe_field(field.inner, f"{path}[]")
    elif isinstance(field, fields.Dict):
        if field.metadata.get("validated_as"):
            yield from _unsafe_strings(getattr(registration_schemas, field.metadata["validated_as"])(), f"{path}{{}}")
        elif field.key_field is None or field.value_field is None:
            yield f"{path} (a dict without key and value types)"
        else:
            yield from _unsafe_field(field.key_field, f"{path}{{key}}")
            yield from _unsafe_field(field.value_field, f"{path}{{}}")
    elif isinstance(field, fields.String) and not isinstance(field, SafeText):
        yield path
    elif type(field) is fields.Raw:
        yield f"{path} (untyped)"


def test_every_string_field_of_every_request_schema_of_every_service_refuses_broken_text(apps):
    unsafe, walked = [], 0
    for service, flask_app in apps.items():
        for name, schema in _request_schemas(flask_app).items():
            walked += 1
            unsafe += [f"{service}: {path}" for path in _unsafe_strings(schema, name)]
    assert walked >= 30
    assert unsafe == []


def _patterned_strings(node, path="#"):
    """Every string schema with a ``pattern`` in an OpenAPI document, by its path."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "pattern" in node and "enum" not in node:
            yield path, node
        for key, value in node.items():
            yield from _patterned_strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for number, value in enumerate(node):
            yield from _patterned_strings(value, f"{path}/{number}")


def test_no_documented_text_field_takes_blank_text(apps):
    """What the services refuse (shared/text.py ``is_blank``) the documents refuse too: a
    field with the free-text pattern has the visible-text pattern beside it, and a field
    with a pattern of its own (an amount, a GSTIN, a URL) takes no blank text anyway."""
    taking_blanks, checked = [], 0
    for service, flask_app in apps.items():
        document = flask_app.test_client().get("/openapi.json").get_json()
        for path, schema in _patterned_strings(document):
            checked += 1
            validator = jsonschema_rs.validator_for(schema)
            taking_blanks += [f"{service}: {path} takes {blank!r}" for blank in ("   ", "\u00a0", "\u200b\u3000") if validator.is_valid(blank)]
    assert checked > 100 and taking_blanks == []


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_text_in_a_single_line_field_is_a_422_naming_it(client, db, kind):
    bad = BROKEN[kind]
    response = client.post("/v1/sellers", json={**SELLER, "name": bad})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "name" in response.get_json()["errors"]
    nested = client.post("/v1/sellers", json={**SELLER, "phone": "+919876500001", "products": [{**SELLER["products"][0], "name": bad}]})
    assert nested.status_code == 422 and "name" in nested.get_json()["errors"]["products"]["0"]
    buyer_org = client.post("/v1/buyers", json={"name": "Anna Keller", "organisation": bad, "buyer_kind": "importer", "email": "anna@keller.example"})
    assert buyer_org.status_code == 422 and "organisation" in buyer_org.get_json()["errors"]
    meet = client.post("/v1/meets", json={**MEET, "venue": bad}, headers=ORGANISER)
    assert meet.status_code == 422 and "venue" in meet.get_json()["errors"]


def test_broken_text_on_change_is_refused_and_nothing_is_stored(client, db):
    seller = register(client)
    auth = token_for(client, db, seller["id"])
    for bad in BROKEN.values():
        response = client.patch(f"/v1/sellers/{seller['id']}", json={"name": bad}, headers={**auth, "If-Match": '"2"'})
        assert response.status_code == 422 and "name" in response.get_json()["errors"]
    assert db["participants"].find_one({"_id": seller["id"]})["name"] == SELLER["name"]


def test_a_lone_surrogate_in_raw_json_is_never_a_server_error(apps):
    registration, matching_app, notifications = (apps[s].test_client() for s in ("registration", "matching", "notifications"))
    raw = b'{"name": "Ghulam \\ud800 Dar", "district": "Srinagar", "phone": "9876543210"}'
    answer = registration.post("/v1/sellers", data=raw, content_type="application/json")
    assert answer.status_code == 422 and "name" in answer.get_json()["errors"]
    unknown_key = registration.post("/v1/sellers", data=b'{"\\udfff": 1}', content_type="application/json")
    assert unknown_key.status_code == 422
    request = matching_app.post("/v1/meets/m1/requests", data=b'{"to_id": "b1", "message": "hi \\ud800"}', content_type="application/json", headers=ORGANISER)
    assert request.status_code == 422 and "message" in request.get_json()["errors"]
    webhook = notifications.put("/v1/preferences/p1", data=b'{"webhook_url": "https://example.com/\\ud800"}', content_type="application/json", headers=ORGANISER)
    assert webhook.status_code == 422 and "webhook_url" in webhook.get_json()["errors"]
    query = registration.get("/v1/meets?city=%ED%A0%80", headers=ORGANISER)
    assert query.status_code == 200


def test_multi_line_fields_keep_line_breaks_and_refuse_other_controls(client, db):
    meet = open_meet(client)
    seller = register(client)
    auth = token_for(client, db, seller["id"])
    slot = client.get(f"/v1/meets/{meet['id']}/slots").get_json()["items"][0]["id"]
    assert client.post(f"/v1/meets/{meet['id']}/applications", json={"availability": [slot]}, headers=auth).status_code == 201
    refused = client.post(f"/v1/meets/{meet['id']}/applications/{seller['id']}/withdrawal", json={"reason": "ill\x00"}, headers=auth)
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    kept = client.post(f"/v1/meets/{meet['id']}/applications/{seller['id']}/withdrawal", json={"reason": "Ill.\r\nSorry\tagain"}, headers=auth)
    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["reason"] == "Ill.\nSorry\tagain"


def test_text_is_stored_in_nfc(client, db):
    seller = register(client, name="Jose\u0301 Dar")
    assert seller["name"] == "Jos\u00e9 Dar"


# Resource exhaustion -------------------------------------------------------------------

def _posts(apps):
    """One JSON endpoint per service, and the endpoints that read an optional body."""
    return [
        ("registration", "/v1/sellers"),
        ("registration", "/v1/meets/m1/applications/p1/withdrawal"),
        ("registration", "/v1/participants/p1/verification-code"),
        ("matching", "/v1/meets/m1/requests"),
        ("matching", "/v1/meets/m1/schedule/draft"),
        ("notifications", "/v1/preferences/p1"),
    ]


@pytest.mark.parametrize("nesting", ["[" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, '{"name": ' + "[" * 40 + "]" * 40 + "}"])
def test_deeply_nested_json_is_a_400_on_every_service(apps, nesting):
    for service, path in _posts(apps):
        client = apps[service].test_client()
        method = client.put if path.startswith("/v1/preferences") else client.post
        response = method(path, data=nesting, content_type="application/json", headers=ORGANISER)
        assert response.status_code == 400, (service, path, response.status_code)
        assert response.mimetype == "application/problem+json" and "_body" in response.get_json()["errors"]


def test_a_body_over_the_limit_is_a_413_before_it_is_read(apps):
    huge = b'{"name": "' + b"x" * (1 << 20) + b'"}'
    for service, path in _posts(apps):
        client = apps[service].test_client()
        method = client.put if path.startswith("/v1/preferences") else client.post
        response = method(path, data=huge, content_type="application/json", headers=ORGANISER)
        assert response.status_code == 413, (service, path, response.status_code)
        assert response.mimetype == "application/problem+json" and response.get_json()["max_bytes"] == 1 << 20


def test_the_limits_are_configurable(settings_for):
    from services.registration.app import create_app

    client = create_app(settings_for("registration", BSM_MAX_BODY_BYTES="2000", BSM_MAX_JSON_DEPTH="3")).test_client()
    assert client.post("/v1/sellers", data=b'{"name": "' + b"x" * 2000 + b'"}', content_type="application/json").status_code == 413
    assert client.post("/v1/sellers", json={"products": [{"price_band": {"min": "1"}}]}).status_code == 400
    assert client.post("/v1/sellers", json={"products": [{"name": "x"}]}).status_code == 422


def test_a_csv_import_may_be_larger_than_other_bodies_but_not_unbounded(client):
    big = "name,district,phone,unknown_column\n" + "Weaver,Srinagar,9876543210,x\n" * 50_000
    assert len(big) > 1 << 20
    response = client.post("/v1/imports/sellers", data=big, content_type="text/csv", headers=ORGANISER)
    assert response.status_code == 400 and "file" in response.get_json()["errors"]
    over = client.post("/v1/imports/sellers", data=b"x" * ((8 << 20) + 1), content_type="text/csv", headers=ORGANISER)
    assert over.status_code == 413


# CSV formula injection ----------------------------------------------------------------

FORMULA = '=HYPERLINK("http://example.invalid/x","Click")'


def test_the_meet_report_csv_defuses_formulas(matching):  # noqa: F811
    from datetime import date, time

    from shared.contracts import registration as catalogue
    from services.registration.domain.applications import Application
    from services.registration.domain.meets import OPEN, Meet
    from services.registration.messages import meet_event, participant_event, participation_event
    from tests.api.test_matching_api import seller

    client, deliver = matching
    meet = Meet(name="BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(11),
                meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-csv")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    hostile = buyer(1)
    hostile.organisation = FORMULA
    for person in (seller(1, "Srinagar"), hostile):
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, [s.id for s in meet.slots()], status="approved", version=2), meet))
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    [meeting] = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    clock_at(client)
    loi = {"product": "-2+3 shawls", "quantity": {"value": "5", "unit": "piece"}, "value": {"amount": "1000"}, "signed_on": "2027-07-30"}
    assert client.post(f"/v1/meetings/{meeting['id']}/loi", json=loi, headers=ORGANISER).status_code == 201
    text = client.get(f"/v1/meets/{meet.id}/report?format=csv", headers=ORGANISER).get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + FORMULA in cells and "'-2+3 shawls" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all(line.startswith('"') for line in text.splitlines())


def _csv_writers_outside_the_shared_writer():
    found = []
    for path in [*REPO.glob("services/**/*.py"), *REPO.glob("shared/**/*.py"), *REPO.glob("ops/**/*.py")]:
        if path == REPO / "shared" / "csv_output.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "csv" and node.attr in ("writer", "DictWriter"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} csv.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "csv" and {a.name for a in node.names} & {"writer", "DictWriter"}:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} from csv import writer")
            if isinstance(node, ast.keyword) and node.arg in ("mimetype", "content_type") and isinstance(node.value, ast.Constant) and "csv" in str(node.value.value):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} a text/csv response")
    return found


def test_every_csv_the_platform_writes_goes_through_the_shared_writer():
    assert _csv_writers_outside_the_shared_writer() == []



def test_every_operation_with_a_body_documents_the_size_and_nesting_refusals(apps):
    missing = []
    for service, flask_app in apps.items():
        spec = flask_app.test_client().get("/openapi.json").get_json()
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                if "requestBody" in operation:
                    missing += [f"{service} {method} {path} {code}" for code in ("400", "413") if code not in operation["responses"]]
    assert missing == []


@pytest.mark.parametrize("tables, problem", [(10.9, "fraction cut to 10"), ("10", "text"), (True, "boolean")])
def test_a_number_in_a_body_is_taken_only_as_the_json_number_it_is_documented_as(client, db, tables, problem):
    response = client.post("/v1/meets", json={**MEET, "tables": tables}, headers=ORGANISER)
    assert response.status_code == 422 and response.mimetype == "application/problem+json", problem
    assert "tables" in response.get_json()["errors"]
    assert db["meets"].count_documents({}) == 0
    whole = client.post("/v1/meets", json={**MEET, "tables": 10.0}, headers=ORGANISER)
    assert whole.status_code == 201 and whole.get_json()["tables"] == 10
