"""What schemathesis' conformance checks found, kind by kind, on the registration API."""
import pytest

from services.registration.domain.identifiers import PHONE_PATTERN
from shared.text import text_pattern
from shared.timezones import CLOCK_TIME_PATTERN
from tests.api.conftest import ORGANISER, register

pytestmark = pytest.mark.stack


def test_a_method_not_allowed_is_a_problem_naming_the_allowed_ones(client):
    response = client.open("/v1/meets", method="TRACE")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_an_optional_body_is_json_or_nothing(client):
    seller = register(client)
    url = f"/v1/participants/{seller['id']}/verification-code"
    assert client.post(url, data=b"\x8f\x00random", content_type="application/octet-stream").status_code == 415
    assert client.post(url, data=b"{not json", content_type="application/json").status_code == 400
    assert client.post(url).status_code == 202


def test_the_document_says_what_each_operation_can_answer(client):
    spec = client.get("/openapi.json").get_json()
    patch_meet = spec["paths"]["/v1/meets/{meet_id}"]["patch"]
    assert {"400", "412", "415", "422", "428"} <= set(patch_meet["responses"])
    [if_match] = [p for p in patch_meet["parameters"] if p["name"] == "If-Match"]
    assert if_match["schema"]["pattern"]
    send_code = spec["paths"]["/v1/participants/{participant_id}/verification-code"]["post"]
    assert send_code["requestBody"]["required"] is False
    assert spec["components"]["schemas"]["Problem"]["additionalProperties"] is True
    listing = {p["name"]: p for p in spec["paths"]["/v1/meets"]["get"]["parameters"]}
    assert "-name" in listing["sort"]["schema"]["enum"]
    assert listing["city"]["schema"]["pattern"] == text_pattern()
    claim = spec["components"]["schemas"]["Claim"]["properties"]["note"]
    assert claim.get("nullable") is True


def test_the_document_states_formats_and_either_or_rules(client):
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["MeetIn"]["properties"]["session_start"]["pattern"] == CLOCK_TIME_PATTERN
    assert schemas["SellerIn"]["properties"]["phone"]["pattern"] == PHONE_PATTERN
    assert {"required": ["email"], "properties": {"email": {"type": "string"}}} in schemas["BuyerIn"]["anyOf"]
    [job_id] = spec["paths"]["/v1/imports/{job_id}"]["get"]["parameters"]
    assert job_id["schema"]["pattern"] == "^[0-9a-f]{32}$"


def test_a_fixed_path_beside_an_id_is_not_read_as_an_id(client):
    response = client.get("/v1/imports/sellers", headers=ORGANISER)
    assert response.status_code == 405 and "GET" not in response.headers["Allow"]
