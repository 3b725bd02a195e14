"""Notifications are recorded once and delivered to a real SMTP server, with retries."""
from datetime import datetime, timedelta, timezone

import pytest

from deploy.local.mailsink import MailSink
from shared.mongo import connect
from services.notifications.channels.email import SmtpChannel
from services.notifications.channels.inbox import InboxChannel
from services.notifications.dispatcher import Dispatcher
from services.notifications.domain import recipients
from services.notifications.rendering import Renderer
from services.notifications.store import NotificationStore, ensure_indexes

pytestmark = pytest.mark.stack

SMTP_PORT = 18125
REGISTERED = {"participant_id": "p1", "name": "Haleema Bano", "role": "seller", "preferred_language": "ur", "email": "haleema@example.in"}


@pytest.fixture
def store(settings_for):
    db = connect(settings_for("notifications"))
    ensure_indexes(db)
    return NotificationStore(db, "notifications.events")


@pytest.fixture
def mail():
    sink = MailSink(port=SMTP_PORT).start()
    yield sink
    sink.stop()


def dispatcher(store: NotificationStore, port: int = SMTP_PORT) -> Dispatcher:
    channels = {"email": SmtpChannel("127.0.0.1", port, "BSM <no-reply@bsm.local>", timeout=2), "inbox": InboxChannel()}
    return Dispatcher(store, Renderer(), channels, max_attempts=3)


def test_an_event_recorded_twice_is_one_notification_and_one_email(store, mail):
    for _ in range(2):
        for note in recipients.registration_received("event-1", "corr-1", REGISTERED):
            store.add(note)
    assert store.collection.count_documents({}) == 1
    sender = dispatcher(store)
    assert sender.dispatch_once() is True
    assert sender.dispatch_once() is False
    [message] = mail.messages
    assert message["To"] == "haleema@example.in"
    assert "Haleema Bano" in message["Subject"]
    assert message["X-Correlation-ID"] == "corr-1"
    [stored] = store.find(source_event_id="event-1")
    assert (stored["status"], stored["attempts"]) == ("sent", 1)


def test_an_smtp_outage_is_retried_later_then_delivered(store):
    [note] = recipients.registration_received("event-2", "corr-2", REGISTERED)
    store.add(note)
    sender = dispatcher(store)
    assert sender.dispatch_once() is True  # nobody listens on the port yet
    [failed] = store.find(source_event_id="event-2")
    assert failed["status"] == "pending" and failed["attempts"] == 1 and failed["last_error"]
    assert failed["next_attempt_at"] > datetime.now(timezone.utc)
    assert sender.dispatch_once() is False  # not due yet
    assert store.reschedule(note.id, datetime.now(timezone.utc))
    sink = MailSink(port=SMTP_PORT).start()
    try:
        assert sender.dispatch_once() is True
    finally:
        sink.stop()
    assert len(sink.messages) == 1
    assert store.find(source_event_id="event-2")[0]["status"] == "sent"


def test_a_claimed_notification_is_not_claimed_twice_until_its_lease_ends(store):
    [note] = recipients.registration_received("event-3", None, {**REGISTERED, "email": None})
    store.add(note)
    now = datetime.now(timezone.utc)
    assert len(store.claim_due(now, timedelta(seconds=30))) == 1
    assert store.claim_due(now, timedelta(seconds=30)) == []
    assert len(store.claim_due(now + timedelta(seconds=31), timedelta(seconds=30))) == 1


def test_two_dispatchers_claiming_together_never_take_the_same_notification(store):
    import threading

    for n in range(30):
        for note in recipients.registration_received(f"event-c{n}", None, {**REGISTERED, "participant_id": f"p{n}", "email": None}):
            store.add(note)
    taken: list[str] = []
    now = datetime.now(timezone.utc)

    def claim():
        while batch := store.claim_due(now, timedelta(minutes=5), limit=4):
            taken.extend(n.id for n in batch)

    workers = [threading.Thread(target=claim) for _ in range(3)]
    [w.start() for w in workers]
    [w.join() for w in workers]
    assert len(taken) == 30 and len(set(taken)) == 30


def test_the_email_channel_keeps_its_connection_and_replaces_one_the_server_dropped():
    [note] = recipients.registration_received("event-k", None, REGISTERED)
    rendered = Renderer().render(note.kind, note.language, note.context)
    channel = SmtpChannel("127.0.0.1", SMTP_PORT, "BSM <no-reply@bsm.local>", timeout=2)
    first = MailSink(port=SMTP_PORT).start()
    try:
        channel.send(note, rendered)
        kept = channel.connections.smtp
        channel.send(note, rendered)
        assert channel.connections.smtp is kept and len(first.messages) == 2
    finally:
        first.stop()
    second = MailSink(port=SMTP_PORT).start()
    try:
        channel.send(note, rendered)
        assert channel.connections.smtp is not kept and len(second.messages) == 1
    finally:
        second.stop()
