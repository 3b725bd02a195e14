"""Webhook URLs never reach inside: refused when set (422 naming webhook_url) and, for a
URL whose name resolves inside by the time of sending, refused again at send time (the
notification goes dead with the reason, nothing is sent). Notifications in-process on
the real FerretDB, with a real HTTP listener on loopback."""
from datetime import date, time

import pytest

from shared.contracts import registration as catalogue
from services.notifications.__main__ import build_dispatcher
from services.notifications.app import create_app
from services.notifications.handlers import build_handlers
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.domain.participants import Participant
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER
from tests.unit.shared.test_destinations import HOSTILE, Listener

pytestmark = pytest.mark.stack

BUYER = Participant(id="b7", role="buyer", name="Anna", organisation="Keller Living", country="DE", international=True,
                    preferred_language="en", email="anna@keller.example")


def notifications(settings):
    app = create_app(settings)
    db = app.extensions["notifications"].store.collection.database
    handlers = build_handlers(db, settings)
    handlers[catalogue.PARTICIPANT_REGISTERED](participant_event(catalogue.PARTICIPANT_REGISTERED, BUYER))
    return app, handlers


@pytest.fixture
def app(settings_for):
    return notifications(settings_for("notifications"))[0]


SET_TIME = [url for url in HOSTILE if "\n" not in url and "\r" not in url] + ["http://[::1]:8003/", "http://localhost:8003/v1/notifications"]


@pytest.mark.parametrize("url", SET_TIME)
def test_a_webhook_url_that_is_not_a_public_http_destination_is_refused_when_set(app, url):
    client = app.test_client()
    answer = client.put("/v1/preferences/b7", json={"channels": ["webhook"], "webhook_url": url}, headers=ORGANISER)
    assert answer.status_code == 422, answer.get_json()
    assert "webhook_url" in answer.get_json()["errors"]
    assert client.get("/v1/preferences/b7", headers=ORGANISER).get_json()["webhook_url"] is None


def test_a_name_that_resolves_inside_at_send_time_is_refused_and_the_notification_goes_dead(settings_for):
    listener = Listener()
    settings = settings_for("notifications")
    app, handlers = notifications(settings)
    contacts = app.extensions["notifications"].contacts
    # set when the name pointed elsewhere (or written before this check existed): now it is loopback
    assert contacts.set_preferences("b7", {"channels": ["webhook"], "webhook_url": f"http://localhost:{listener.port}/hook", "webhook_secret": "s"})
    meet = Meet(name="BSM", venue="SKICC", city="Srinagar", days=[date(2030, 7, 30)], session_start=time(10), session_end=time(11),
                meeting_minutes=30, tables=2, capacity_sellers=5, capacity_buyers=5, status=OPEN, id="meet-w")
    handlers[catalogue.MEET_CREATED](meet_event(catalogue.MEET_CREATED, meet))
    approval = participation_event(Application(meet.id, "b7", "buyer", [s.id for s in meet.slots()], status="approved", version=2), meet)
    handlers[approval.type](approval)
    dispatcher = build_dispatcher(settings)
    try:
        while dispatcher.dispatch_once():
            pass
    finally:
        listener.stop()
    [hook] = app.extensions["notifications"].store.find(kind="participation_approved", channel="webhook")
    assert hook["status"] == "dead" and "not a public address" in hook["last_error"] and "127.0.0.1" in hook["last_error"]
    assert listener.received == []


def test_the_test_only_allowance_lets_a_loopback_listener_be_set(settings_for):
    app, _ = notifications(settings_for("notifications", BSM_WEBHOOK_ALLOW_PRIVATE="1"))
    answer = app.test_client().put("/v1/preferences/b7", json={"channels": ["webhook"], "webhook_url": "http://127.0.0.1:9/hook"}, headers=ORGANISER)
    assert answer.status_code == 200 and answer.get_json()["webhook_url"] == "http://127.0.0.1:9/hook"
