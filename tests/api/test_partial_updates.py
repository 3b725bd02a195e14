"""A PATCH applies every rule of the create to the merged record: validation and normalisation."""
import pytest

from tests.api.conftest import BUYER, MEET, ORGANISER, register

pytestmark = pytest.mark.stack


def _patch(client, url, body, version='"1"'):
    return client.patch(url, json=body, headers={**ORGANISER, "If-Match": version})


IN_KASHMIR = {**BUYER, "country": "IN", "international": False, "state": "Jammu and Kashmir"}
"""A buyer in Jammu and Kashmir, whose districts are loaded (a buyer abroad writes its district as it likes)."""


@pytest.mark.parametrize("role, body", [("sellers", None), ("buyers", {**IN_KASHMIR, "district": "Srinagar"})])
def test_a_district_outside_the_state_is_refused_on_patch_as_on_post(client, db, role, body):
    participant = register(client, body, role=role)
    response = _patch(client, f"/v1/{role}/{participant['id']}", {"district": "Atlantis"})
    assert response.status_code == 422 and "district" in response.get_json()["errors"]
    assert db["participants"].find_one({"_id": participant["id"]})["district"] == "Srinagar"


@pytest.mark.parametrize("role, body", [("sellers", None), ("buyers", {**IN_KASHMIR, "district": "Budgam"})])
def test_a_district_is_spelled_canonically_on_patch_as_on_post(client, role, body):
    participant = register(client, body, role=role)
    response = _patch(client, f"/v1/{role}/{participant['id']}", {"district": "srinagar"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["district"] == "Srinagar"


def test_a_patched_meet_passes_the_create_rules(client):
    meet = client.post("/v1/meets", json=MEET, headers=ORGANISER).get_json()
    response = _patch(client, f"/v1/meets/{meet['id']}", {"days": ["2020-01-01"]})
    assert response.status_code == 422 and "days" in response.get_json()["errors"]
    kept = _patch(client, f"/v1/meets/{meet['id']}", {"tables": 20})
    assert kept.status_code == 200 and kept.get_json()["days"] == MEET["days"] and kept.get_json()["breaks"] == MEET["breaks"]
