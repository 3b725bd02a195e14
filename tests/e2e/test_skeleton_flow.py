"""A seller registers over HTTP; matching learns of them and they get a confirmation email.

Real at every hop: gunicorn, FerretDB, the outbox relay, Kafka, both consumers, the
notification dispatcher and an SMTP server.
"""
import re
from datetime import datetime

import pytest

from tests.helpers import wait_until

pytestmark = pytest.mark.stack

ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
SELLER = {
    "name": "Ghulam Nabi Dar",
    "organisation": "Dar Papier Mache Works",
    "district": "srinagar",
    "phone": "98765 43210",
    "email": "ghulam.dar@example.in",
    "preferred_language": "ks",
}


def test_a_registered_seller_reaches_matching_and_gets_a_confirmation_email(registration, matching, notifications, mail):
    response = registration.post("/v1/sellers", json=SELLER, headers={"X-Request-ID": "e2e-flow-1"})
    assert response.status_code == 201, response.text
    seller = response.json()
    assert (seller["district"], seller["phone"]) == ("Srinagar", "+919876543210")
    assert response.headers["Location"] == f"/v1/sellers/{seller['id']}"
    assert response.headers["X-Correlation-ID"] == "e2e-flow-1"

    profile = wait_until(lambda: _json_if_ok(matching.get(f"/v1/participants/{seller['id']}", headers=ORGANISER)), what="matching profile")
    assert (profile["role"], profile["district"], profile["version"]) == ("seller", "Srinagar", 1)
    assert "phone" not in profile and "email" not in profile

    sent = wait_until(
        lambda: [
            n for n in notifications.get("/v1/notifications", params={"recipient_id": seller["id"]}, headers=ORGANISER).json()["items"]
            if n["status"] == "sent" and n["kind"] == "registration_received"
        ],
        what="confirmation sent",
    )
    assert [(n["kind"], n["channel"], n["correlation_id"]) for n in sent] == [("registration_received", "email", "e2e-flow-1")]
    assert datetime.fromisoformat(sent[0]["sent_at"]) >= datetime.fromisoformat(seller["registered_at"])
    [email] = [m for m in mail.messages if m["X-Correlation-ID"] == "e2e-flow-1"]
    assert email["To"] == "ghulam.dar@example.in"
    assert "Ghulam Nabi Dar" in email["Subject"]


def test_bad_input_is_a_422_problem_naming_the_fields(registration):
    response = registration.post("/v1/sellers", json={**SELLER, "district": "Atlantis", "phone": "12"})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert set(errors) == {"district", "phone"}
    assert "digits" in errors["phone"][0]


def test_a_body_that_is_not_json_is_refused_clearly(registration):
    response = registration.post("/v1/sellers", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.json()["title"] == "Unsupported Media Type"


def test_every_service_reports_health_and_readiness(registration, matching, notifications):
    for api in (registration, matching, notifications):
        assert api.get("/healthz").status_code == 200
        ready = api.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"mongo": "up", "kafka": "up"}


def _json_if_ok(response):
    return response.json() if response.status_code == 200 else None


def test_a_seller_verifies_their_phone_by_sms_and_their_token_works_on_every_service(registration, matching, notifications, gateway):
    seller = registration.post("/v1/sellers", json={**SELLER, "phone": "9811122233", "email": None}).json()
    sms = wait_until(lambda: [m for m in gateway.received() if m["to"] == "+919811122233"], what="the SMS with the code")
    [message] = sms
    [code] = re.findall(r"\b\d{6}\b", message["text"])
    assert message["channel"] == "sms" and "تصدیقی کوڈ" in message["text"]  # in the seller's Kashmiri
    assert (message["segments"], message["encoding"]) == (1, "UCS-2")
    token = registration.post(f"/v1/participants/{seller['id']}/verify", json={"code": code}).json()["token"]
    mine = {"Authorization": f"Bearer {token}"}
    assert registration.get(f"/v1/sellers/{seller['id']}", headers=mine).json()["contact_verified"] is True
    assert wait_until(lambda: matching.get(f"/v1/participants/{seller['id']}", headers=mine).status_code == 200, what="matching knows them")
    assert notifications.get(f"/v1/inbox/{seller['id']}", headers=mine).status_code == 200
    assert notifications.get("/v1/inbox/someone-else", headers=mine).status_code == 403
    assert notifications.get("/v1/notifications", params={"recipient_id": seller["id"]}, headers=mine).status_code == 403


def test_metrics_move_when_traffic_flows_and_add_up_the_workers(registration, matching, notifications):
    def value(api, name, **labels):
        total = 0.0
        for line in api.get("/metrics").text.splitlines():
            if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    before = value(registration, "bsm_http_requests_total", route="/v1/sellers", method="POST", status="201")
    consumed_before = value(matching, "bsm_events_consumed_total", type="bsm.registration.participant.registered.v1", outcome="handled")
    registration.post("/v1/sellers", json={**SELLER, "phone": "9811199999", "email": None})
    assert value(registration, "bsm_http_requests_total", route="/v1/sellers", method="POST", status="201") == before + 1
    wait_until(lambda: value(matching, "bsm_events_consumed_total", type="bsm.registration.participant.registered.v1", outcome="handled") >= consumed_before + 1,
               what="matching's consumer counted the event")
    assert value(registration, "bsm_events_published_total", type="bsm.registration.participant.registered.v1") >= 1
    assert "bsm_outbox_pending" in registration.get("/metrics").text
    wait_until(lambda: value(notifications, "bsm_notifications_total", channel="sms", result="sent") >= 1, what="a notification sent")
    assert 'bsm_notifications_stored{channel="sms",status="sent"}' in notifications.get("/metrics").text


def test_a_trace_of_a_registration_shows_every_hop_to_the_notification(platform, registration, notifications, monkeypatch, capsys):
    import json

    from ops import cli

    registration.post("/v1/sellers", json={**SELLER, "phone": "9811177777", "email": "trace@example.in"}, headers={"X-Request-ID": "trace-e2e-1"})
    wait_until(lambda: any(n["status"] == "sent" for n in notifications.get("/v1/notifications", params={"correlation_id": "trace-e2e-1"},
                                                                            headers=ORGANISER).json()["items"]), what="the notification sent")
    for key in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "BSM_TOPIC_PREFIX", "MATCHING_MONGODB_DATABASE", "NOTIFICATIONS_MONGODB_DATABASE"):
        monkeypatch.setenv(key, platform.env[key])
    assert cli.main(["ops", "trace", "trace-e2e-1", "--json", "--logs", str(platform.log_dir)]) == 0
    story = [row["what"] for row in json.loads(capsys.readouterr().out)]
    assert story[0] == "HTTP POST /v1/sellers -> 201"
    assert "bsm.registration.participant.registered.v1" in story
    assert "handled by matching" in story and "handled by notifications" in story
    assert "bsm.matching.participant.indexed.v1" in story
    assert any(what.startswith("notification registration_received by email: sent") for what in story)
    assert story.index("bsm.registration.participant.registered.v1") < story.index("handled by matching")
