"""The dispatcher on the real stack under faults: poisoned messages are dead with their
reason while the rest go out and the dispatcher keeps running; a dead dispatcher's claims
are taken over within ``TAKEOVER``, backlog or not, and a live one's are not."""
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
from pymongo.errors import AutoReconnect

from deploy.local.mailsink import MailSink
from shared.mongo import connect
from services.notifications.channels import DeliveryError
from services.notifications.channels.email import SmtpChannel
from services.notifications.channels.inbox import InboxChannel
from services.notifications.dispatcher import LEASE, TAKEOVER, Dispatcher
from services.notifications.domain import recipients
from services.notifications.queue import LEASES
from services.notifications.rendering import Renderer
from services.notifications.sent_journal import SentJournal
from services.notifications.store import NotificationStore, ensure_indexes
from tests.helpers import wait_until

pytestmark = pytest.mark.stack


@pytest.fixture
def store(settings_for):
    db = connect(settings_for("notifications"))
    ensure_indexes(db)
    return NotificationStore(db, "notifications.events")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail():
    sink = MailSink(port=free_port()).start()
    yield sink
    sink.stop()


def registration(n: int, name: str = "Haleema Bano", email: str | None = None):
    person = {"participant_id": f"p{n}", "name": name, "role": "seller", "preferred_language": "en", "email": email}
    [note] = recipients.registration_received(f"event-{n}", f"corr-{n}", person)
    return note


def test_poisoned_messages_are_dead_with_their_reason_the_others_go_out_and_the_dispatcher_keeps_running(store, mail):
    good = [registration(n, email=f"seller{n}@example.in") for n in range(8)]
    evil = registration(20, name="Evil\nX-Injected: yes", email="evil@example.in")
    bad_address = registration(21, email="x@example.in\nBcc: victim@example.in")
    unrenderable = registration(22, email="y@example.in")
    unrenderable.context = {"role": "seller"}
    for note in (*good, evil, bad_address, unrenderable):
        assert store.add(note)
    channels = {"email": SmtpChannel("127.0.0.1", mail.controller.port, "BSM <no-reply@bsm.local>", timeout=5), "inbox": InboxChannel()}
    dispatcher, stop = Dispatcher(store, Renderer(), channels, max_attempts=3), threading.Event()
    worker = threading.Thread(target=dispatcher.run, args=(stop,), kwargs={"idle_seconds": 0.05}, daemon=True)
    worker.start()
    try:
        settled = lambda *notes: all(store.get(n.id).status != "pending" for n in notes)
        wait_until(lambda: settled(*good, evil, bad_address, unrenderable), what="every notification settled")
        assert worker.is_alive()
        assert {store.get(n.id).status for n in (*good, evil)} == {"sent"}
        dead = {n.id: store.get(n.id) for n in (bad_address, unrenderable)}
        assert {d.status for d in dead.values()} == {"dead"}
        assert "not one plain email address" in dead[bad_address.id].last_error
        assert "cannot be rendered" in dead[unrenderable.id].last_error
        received = {m["To"]: m for m in mail.messages}
        assert set(received) == {f"seller{n}@example.in" for n in range(8)} | {"evil@example.in"}
        assert "victim@example.in" not in str([m.items() for m in mail.messages])
        assert all("X-Injected" not in m for m in mail.messages)
        assert "Evil X-Injected: yes" in received["evil@example.in"]["Subject"]

        later = registration(30, email="later@example.in")
        store.add(later)
        wait_until(lambda: settled(later), what="a message recorded after the poisoned ones")
        assert store.get(later.id).status == "sent" and worker.is_alive()
    finally:
        stop.set()
        worker.join(timeout=30)
    assert store.queue.size() == 0


class Counting:
    """An inbox channel that keeps the ids it sent, in order."""

    name = "inbox"

    def __init__(self):
        self.sent, self.lock = [], threading.Lock()

    def send(self, notification, rendered):
        with self.lock:
            self.sent.append(notification.id)


class Stuck:
    """A channel whose sends hang until released, then fail: a dispatcher busy with them."""

    name = "inbox"

    def __init__(self):
        self.release = threading.Event()

    def send(self, notification, rendered):
        self.release.wait(60)
        raise DeliveryError("released")


def test_a_dead_dispatchers_claims_are_taken_over_within_the_bound_despite_a_backlog(store):
    stranded = [registration(n) for n in range(6)]
    for note in stranded:
        store.add(note)
    start = datetime.now(timezone.utc)
    died = store.claim_due(start, Dispatcher(store, Renderer(), {}).lease, limit=None)  # claimed, then SIGKILLed
    assert sorted(c.id for c in died) == sorted(n.id for n in stranded)
    backlog = [registration(100 + n) for n in range(40)]
    for note in backlog:
        store.add(note)

    inbox = Counting()
    survivor = Dispatcher(store, Renderer(), {"inbox": inbox}, workers={"inbox": 1}, clock=lambda: start + TAKEOVER)
    assert survivor.dispatch_once() is True  # one round: its pool takes 8, fewer than the backlog
    assert len(inbox.sent) < len(backlog)
    assert set(inbox.sent) >= {n.id for n in stranded}  # taken over first: due earliest, their leases ran out
    assert all(store.get(n.id).status == "sent" for n in stranded)


def test_a_live_dispatcher_renews_its_leases_so_no_other_takes_its_claims(store):
    for n in range(3):
        store.add(registration(n))
    start, offset = datetime.now(timezone.utc), [timedelta(0)]
    stuck = Stuck()
    busy = Dispatcher(store, Renderer(), {"inbox": stuck}, renew_every=3600, clock=lambda: start + offset[0])
    stop = threading.Event()
    worker = threading.Thread(target=busy.run, args=(stop,), kwargs={"idle_seconds": 0.05}, daemon=True)
    worker.start()
    try:
        wait_until(lambda: store.db[LEASES].count_documents({}) == 3, what="the three claims")
        offset[0] = LEASE * 0.75
        assert busy.renew_leases() == 3
        assert busy.renew_leases() == 0  # renewed just now: nothing to do
        inbox = Counting()
        other = Dispatcher(store, Renderer(), {"inbox": inbox}, clock=lambda: start + LEASE * 1.5)
        assert other.dispatch_once() is False and inbox.sent == []  # past the first lease, within the renewed one
        later = Dispatcher(store, Renderer(), {"inbox": inbox}, clock=lambda: start + LEASE * 1.75 + timedelta(seconds=1))
        assert later.dispatch_once() is True and len(inbox.sent) == 3  # not renewed again: taken over
    finally:
        stuck.release.set()
        stop.set()
        worker.join(timeout=30)


def test_a_message_sent_while_the_database_went_away_is_recorded_once_it_is_back_and_never_sent_again(store, monkeypatch):
    note = registration(1)
    store.add(note)
    real_record, failures = NotificationStore.record, []

    def away_three_times(self, outcomes):
        if len(failures) < 3:
            failures.append(len(outcomes))
            raise AutoReconnect("the database went away after the message went out")
        return real_record(self, outcomes)

    monkeypatch.setattr(NotificationStore, "record", away_three_times)
    inbox = Counting()
    first = Dispatcher(store, Renderer(), {"inbox": inbox})
    raised: list[Exception] = []

    def run():
        try:
            first.run(threading.Event(), idle_seconds=0.05)
        except AutoReconnect as exc:  # the worker rebuilds the dispatcher after this
            raised.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and raised and len(failures) == 3
    assert inbox.sent == [note.id]
    assert store.get(note.id).status == "sent"

    later = datetime.now(timezone.utc) + 2 * LEASE
    other = Dispatcher(store, Renderer(), {"inbox": inbox}, clock=lambda: later)
    other.run(threading.Event(), idle_seconds=0.05, until_idle=True)
    assert inbox.sent == [note.id], "sent once: the outcome was recorded, not dropped"


class NeverRecords:
    """A store whose recording hangs until released, then fails: the dispatcher has sent,
    and dies before the outcome is recorded."""

    def __init__(self, store):
        self.store, self.release = store, threading.Event()

    def __getattr__(self, name):
        return getattr(self.store, name)

    def record(self, outcomes):
        self.release.wait(60)
        raise AutoReconnect("the dispatcher was killed before recording")


@pytest.mark.parametrize("after", ["the process restarted", "another dispatcher on the machine", "the process rebuilt its dispatcher"])
def test_a_message_sent_by_a_dispatcher_that_died_before_recording_it_is_recorded_sent_not_sent_again(store, mail, tmp_path, after):
    note = registration(1, email="saffron@example.in")
    store.add(note)
    channels = {"email": SmtpChannel("127.0.0.1", mail.controller.port, "BSM <no-reply@bsm.local>", timeout=5), "inbox": InboxChannel()}
    hanging = NeverRecords(store)
    journal = SentJournal.open(tmp_path)
    dying = Dispatcher(hanging, Renderer(), channels, journal=journal)

    def run_until_killed():
        with pytest.raises(AutoReconnect):
            dying.run(threading.Event(), idle_seconds=0.05)

    worker = threading.Thread(target=run_until_killed, daemon=True)
    worker.start()
    try:
        wait_until(lambda: journal.held(), what="the message sent and journalled")
        assert [m["To"] for m in mail.messages] == ["saffron@example.in"]
        if after == "another dispatcher on the machine":
            survivor_journal = SentJournal.open(tmp_path)
            journal.close()
        elif after == "the process restarted":
            journal.close()
            survivor_journal = SentJournal.open(tmp_path)
        else:
            survivor_journal = journal
        assert store.get(note.id).status == "pending"
        # by when the dying dispatcher's lease would let any dispatcher take the message over
        survivor = Dispatcher(store, Renderer(), channels, journal=survivor_journal,
                              clock=lambda: datetime.now(timezone.utc) + TAKEOVER)
        survivor.run(threading.Event(), idle_seconds=0.05, until_idle=True)
        assert store.get(note.id).status == "sent"
        assert [m["To"] for m in mail.messages] == ["saffron@example.in"], "sent once"
        assert store.queue.size() == 0 and survivor_journal.held() == {}
        assert all(path.read_bytes() == b"" for path in tmp_path.glob("sent-*.journal"))
    finally:
        hanging.release.set()
        worker.join(timeout=30)
