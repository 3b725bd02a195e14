"""One-time codes reach the person's phone or mailbox and nobody else: not staff through
any API, not the logs, not a reader of Kafka or of notifications' database. Registration
and notifications in-process on the real FerretDB, with real SMTP and SMS gateway sinks;
the events go from registration's outbox to notifications' handlers as the relay and the
consumer would carry them."""
import io
import json
import logging
import re

import pytest

from deploy.local.gatewaysink import GatewaySink
from deploy.local.mailsink import MailSink
from shared.contracts.registration import VERIFICATION_REQUESTED
from shared.envelope import to_kafka
from shared.outbox import stored_events
from shared.logs import JsonFormatter
from shared.one_time_codes import REDACTED
from services.notifications.__main__ import build_dispatcher
from services.notifications.app import create_app as notifications_app
from services.notifications.handlers import build_handlers
from tests.api.conftest import BUYER, OPERATOR, ORGANISER, SELLER, outbox_events

pytestmark = pytest.mark.stack

SMTP = 18241
SIX_DIGITS = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def logs():
    """Every log record of every logger, at every level, as the services' JSON lines (but
    the test's SMTP sink's own, which is the mailbox: it logs what it receives)."""
    buffer, handler = io.StringIO(), logging.StreamHandler()
    handler.stream = buffer
    handler.setFormatter(JsonFormatter("test"))
    handler.addFilter(lambda record: not record.name.startswith("mail.log"))
    root = logging.getLogger()
    level, root.level = root.level, logging.DEBUG
    root.addHandler(handler)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def notifications(settings_for):
    gateway = GatewaySink(port=0).start()
    mail = MailSink(port=SMTP).start()
    settings = settings_for("notifications", SMTP_PORT=str(SMTP), SMS_GATEWAY_URL=gateway.url)
    app = notifications_app(settings)
    db = app.extensions["notifications"].store.collection.database
    handlers = build_handlers(db, settings)
    sent = set()

    def carry(registration_db, participant_id):
        """Hand the participant's events not carried yet to notifications, then send what is due."""
        for event in stored_events(registration_db["participants"].find_one({"_id": participant_id})):
            if event.id not in sent:
                sent.add(event.id)
                handlers[event.type](event)
        dispatcher = build_dispatcher(settings)
        while dispatcher.dispatch_once():
            pass

    yield {"client": app.test_client(), "db": db, "carry": carry, "gateway": gateway, "mail": mail}
    gateway.stop(), mail.stop()


def test_the_code_reaches_the_phone_and_verifies_but_no_staff_view_log_or_record_shows_it(client, db, notifications, logs):
    registered = client.post("/v1/sellers", json=SELLER, headers={"X-Request-ID": "codes-1"})
    seller = registered.get_json()
    notifications["carry"](db, seller["id"])
    [sms] = [m for m in notifications["gateway"].received() if m["to"] == SELLER["phone"]]
    [code] = SIX_DIGITS.findall(sms["text"])

    for event in stored_events(db["participants"].find_one({"_id": seller["id"]})):
        key, value, headers = to_kafka(event)
        assert code.encode() not in value + b"".join(v for _, v in headers), f"{event.type} carries the code in clear"
    staff_views = [
        notifications["client"].get(f"/v1/notifications?recipient_id={seller['id']}", headers=OPERATOR),
        notifications["client"].get("/v1/notifications?correlation_id=codes-1", headers=ORGANISER),
        notifications["client"].get(f"/v1/inbox/{seller['id']}", headers=OPERATOR),
    ]
    listed = staff_views[0].get_json()["items"]
    [code_sms] = [n for n in listed if n["kind"] == "verification_code"]
    assert code_sms["status"] == "sent" and REDACTED in code_sms["rendered"]["text"]
    resent = notifications["client"].post(f"/v1/notifications/{code_sms['id']}/resend", headers=ORGANISER)
    staff_views.append(resent)
    for response in staff_views:
        assert response.status_code == 200, response.get_json()
        assert code not in response.get_data(as_text=True), response.request.path
    notifications_db = notifications["db"]
    for name in notifications_db.list_collection_names():
        for document in notifications_db[name].find({}):
            assert code not in json.dumps(document, default=str), f"{name} holds the code in clear"

    verified = client.post(f"/v1/participants/{seller['id']}/verify", json={"code": code})
    assert verified.status_code == 200 and verified.get_json()["token"]
    assert code not in logs.getvalue()
    assert "codes-1" in logs.getvalue()  # the flow was logged, just not the code


def test_a_code_asked_for_by_email_reaches_the_mailbox_only(client, db, notifications, logs):
    buyer = client.post("/v1/buyers", json=BUYER).get_json()
    notifications["carry"](db, buyer["id"])
    asked = client.post(f"/v1/participants/{buyer['id']}/verification-code", json={"channel": "email"})
    assert asked.status_code == 202 and set(asked.get_json()) == {"channel"}
    notifications["carry"](db, buyer["id"])
    codes = [SIX_DIGITS.findall(m.get_body(("plain",)).get_content()) for m in notifications["mail"].messages if m["To"] == BUYER["email"]]
    code = [c for found in codes for c in found][-1]
    listed = notifications["client"].get(f"/v1/notifications?recipient_id={buyer['id']}", headers=OPERATOR).get_data(as_text=True)
    assert code not in listed
    assert client.post(f"/v1/participants/{buyer['id']}/verify", json={"code": code}).status_code == 200
    assert code not in logs.getvalue()


def test_registration_keeps_only_the_codes_hash(client, db):
    seller = client.post("/v1/sellers", json=SELLER).get_json()
    stored = db["participants"].find_one({"_id": seller["id"]})
    [event] = [e for e in outbox_events(db, "participants", seller["id"]) if e["type"] == VERIFICATION_REQUESTED]
    assert "code" not in event["data"] and event["data"]["sealed_code"]
    assert set(stored["_code"]) == {"hash", "expires_at", "attempts"}
