"""Safe retries, the OpenAPI document, CORS and correlation ids."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from pymongo.errors import AutoReconnect

from shared import idempotency, outbox
from shared.idempotency import IdempotencyStore
from shared.outbox import stored_events
from services.registration.app import create_app
from tests.api.conftest import SELLER
from tests.helpers import wait_until

pytestmark = pytest.mark.stack


def test_a_retried_post_with_the_same_idempotency_key_creates_one_seller(client, db):
    headers = {"Idempotency-Key": "retry-0001-abcdef"}
    first = client.post("/v1/sellers", json=SELLER, headers=headers)
    again = client.post("/v1/sellers", json=SELLER, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert db["participants"].count_documents({}) == 1


def test_the_same_key_for_a_different_request_is_refused(client):
    headers = {"Idempotency-Key": "retry-0002-abcdef"}
    assert client.post("/v1/sellers", json=SELLER, headers=headers).status_code == 201
    different = client.post("/v1/sellers", json={**SELLER, "name": "Someone Else"}, headers=headers)
    assert different.status_code == 422 and "Idempotency-Key" in different.get_json()["title"]


def test_a_failed_request_does_not_use_up_its_key(client):
    headers = {"Idempotency-Key": "retry-0003-abcdef"}
    assert client.post("/v1/sellers", json={**SELLER, "phone": "1"}, headers=headers).status_code == 422
    assert client.post("/v1/sellers", json={**SELLER, "phone": "1"}, headers=headers).status_code == 422


def _register_while_the_database_goes_away(app, client, monkeypatch, headers: dict, insert_lands: bool) -> int:
    """POST a seller while the database goes away: before the participant's insert, or
    right after it landed (``insert_lands``), and for the key's release too; the status,
    once the database is back and the breaker has closed."""
    real_insert = outbox.insert_one

    def away(*args, **kwargs):
        raise AutoReconnect("connection closed")

    def insert(*args, **kwargs):
        if insert_lands:
            real_insert(*args, **kwargs)
        away()

    monkeypatch.setattr(outbox, "insert_one", insert)
    monkeypatch.setattr(IdempotencyStore, "release", away)
    status = client.post("/v1/sellers", json=SELLER, headers=headers).status_code
    monkeypatch.undo()
    wait_until(lambda: not app.extensions["database_breaker"].is_open(), timeout=5, what="the breaker to close")
    return status


def test_a_key_left_claimed_by_a_request_that_lost_its_database_is_taken_over_once_stale(app, client, db, monkeypatch):
    headers = {"Idempotency-Key": "retry-0004-abcdef"}
    assert _register_while_the_database_goes_away(app, client, monkeypatch, headers, insert_lands=False) == 503
    [left] = list(db[idempotency.COLLECTION].find({"_id": {"$regex": "retry-0004-abcdef$"}}))
    assert left["state"] == idempotency.IN_PROGRESS
    assert client.post("/v1/sellers", json=SELLER, headers=headers).status_code == 409
    stale = datetime.now(timezone.utc) - idempotency.STALE_AFTER - timedelta(seconds=1)
    db[idempotency.COLLECTION].update_one({"_id": left["_id"]}, {"$set": {"created_at": stale}})
    db["identities"].update_many({}, {"$set": {"at": stale}})
    retried = client.post("/v1/sellers", json=SELLER, headers=headers)
    assert retried.status_code == 201, retried.get_json()
    assert client.post("/v1/sellers", json=SELLER, headers=headers).headers["Idempotent-Replayed"] == "true"
    assert db["participants"].count_documents({}) == 1


def test_a_registration_that_landed_but_lost_its_answer_is_answered_by_the_retry_with_the_same_key(app, client, db, monkeypatch):
    headers = {"Idempotency-Key": "retry-0005-abcdef"}
    assert _register_while_the_database_goes_away(app, client, monkeypatch, headers, insert_lands=True) == 503
    [stored] = list(db["participants"].find({}))
    stale = datetime.now(timezone.utc) - idempotency.STALE_AFTER - timedelta(seconds=1)
    db[idempotency.COLLECTION].update_many({}, {"$set": {"created_at": stale}})
    retried = client.post("/v1/sellers", json=SELLER, headers=headers)
    assert retried.status_code == 201, retried.get_json()
    assert retried.get_json()["id"] == stored["_id"]
    assert retried.headers["Location"].endswith(stored["_id"])
    assert db["participants"].count_documents({}) == 1
    other = client.post("/v1/sellers", json=SELLER, headers={"Idempotency-Key": "retry-0006-abcdef"})
    assert other.status_code == 409, "another request with the same phone is still a conflict"


def test_every_api_route_is_in_the_openapi_document(app, client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routes = {
        (re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented
    seller_body = spec["paths"]["/v1/sellers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert seller_body == {"$ref": "#/components/schemas/SellerIn"}
    assert "text/html" in client.get("/docs").headers["Content-Type"]


def test_cors_is_configurable_for_browser_clients(settings_for):
    app = create_app(settings_for("registration", BSM_CORS_ORIGINS="https://bsm.example"))
    response = app.test_client().options(
        "/v1/sellers", headers={"Origin": "https://bsm.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Idempotency-Key"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://bsm.example"
    assert "idempotency-key" in response.headers["Access-Control-Allow-Headers"].lower()
    other = app.test_client().get("/v1/reference/gi-tags", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_correlation_id_comes_back_and_reaches_the_events(client, db):
    response = client.post("/v1/sellers", json=SELLER, headers={"X-Request-ID": "trace-me-42"})
    assert response.headers["X-Correlation-ID"] == "trace-me-42"
    doc = db["participants"].find_one({"_id": response.get_json()["id"]})
    assert {e.correlation_id for e in stored_events(doc)} == {"trace-me-42"}
    assert doc["correlation_id"] == "trace-me-42"


@pytest.mark.parametrize("service", ["registration", "matching", "notifications"])
def test_with_the_database_away_probes_answer_and_requests_get_a_503(settings_for, service):
    """Liveness must not fail when Mongo is away (an orchestrator would restart every pod),
    and a request that needs the database says to retry, not 500."""
    import importlib

    create = importlib.import_module(f"services.{service}.app").create_app
    client = create(settings_for(service, MONGODB_URI="mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200&connectTimeoutMS=200")).test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["mongo"] == "down"
    assert client.get("/metrics").status_code == 200
    if service == "registration":
        away = client.get("/v1/meets")
        assert away.status_code == 503 and away.headers["Content-Type"] == "application/problem+json"
