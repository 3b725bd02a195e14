"""API tests: the registration app in-process (Flask test client) on the real FerretDB."""
from __future__ import annotations

import pytest

from shared.config import DEV_API_KEYS, DEV_CODE_KEY
from shared.contracts.registration import VERIFICATION_REQUESTED
from shared.one_time_codes import CodeSealer
from shared.mongo import connect
from services.registration.app import create_app
from tests.helpers import outbox_event_dicts

ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
OPERATOR = {"Authorization": "Bearer dev-operator-key"}
assert "dev-organiser-key" in DEV_API_KEYS

MEET = {
    "name": "Srinagar ODOP Buyer-Seller Meet",
    "venue": "SKICC",
    "city": "Srinagar",
    "days": ["2027-07-30"],
    "session_start": "10:00",
    "session_end": "13:00",
    "meeting_minutes": 20,
    "gap_minutes": 0,
    "breaks": [{"start": "11:00", "end": "11:20"}],
    "tables": 15,
    "capacity_sellers": 2,
    "capacity_buyers": 15,
}
SELLER = {
    "name": "Ghulam Nabi Dar",
    "organisation": "Dar Papier Mache Works",
    "district": "Srinagar",
    "enterprise_kind": "artisan",
    "phone": "+919876543210",
    "email": "ghulam@example.in",
    "preferred_language": "ks",
    "gstin": "27AAPFU0939F1ZV",
    "products": [
        {
            "name": "Papier mache boxes",
            "category": "handicraft",
            "gi_tag": "Kashmir Paper Machie",
            "monthly_capacity": {"value": "500", "unit": "piece"},
            "price_band": {"min": "450", "max": "2500", "currency": "INR", "unit": "piece"},
            "export_ready": True,
        }
    ],
}
BUYER = {
    "name": "Anna Keller",
    "organisation": "Keller Living GmbH",
    "buyer_kind": "importer",
    "country": "DE",
    "international": True,
    "email": "anna@keller.example",
    "preferred_language": "en",
    "sourcing": {"categories": ["handicraft", "handloom"], "required_certifications": ["gi_authorised_user"], "destination_markets": ["DE", "AT"]},
}


@pytest.fixture
def app(settings_for):
    return create_app(settings_for("registration"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return app.extensions["registration"].participants.db


def outbox_events(db, collection: str, doc_id: str) -> list[dict]:
    return outbox_event_dicts(db[collection].find_one({"_id": doc_id}))


def register(client, body=None, role="sellers", **overrides):
    response = client.post(f"/v1/{role}", json={**(body or SELLER), **overrides})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def token_for(client, db, participant_id: str) -> dict[str, str]:
    """Verify the participant with the code registration sent, and return their auth header."""
    [code] = [code_sent(e) for e in outbox_events(db, "participants", participant_id) if e["type"] == VERIFICATION_REQUESTED][-1:]
    response = client.post(f"/v1/participants/{participant_id}/verify", json={"code": code})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def code_sent(event: dict) -> str:
    """The one-time code a ``verification_requested`` event carries sealed, opened with the
    development key (what notifications' dispatcher does before sending it)."""
    return CodeSealer(DEV_CODE_KEY).open(event["data"]["sealed_code"])


def open_meet(client, **overrides) -> dict:
    response = client.post("/v1/meets", json={**MEET, **overrides}, headers=ORGANISER)
    assert response.status_code == 201, response.get_json()
    meet = response.get_json()
    opened = client.post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_open"}, headers=ORGANISER)
    assert opened.status_code == 200, opened.get_json()
    return opened.get_json()
