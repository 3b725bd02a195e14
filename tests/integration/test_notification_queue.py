"""The notifications due-queue on the real FerretDB: an entry per notification waiting,
written before it, claimed by one dispatcher, gone once the notification is settled."""
import threading
from dataclasses import asdict
from datetime import datetime, timedelta, timezone

import pytest

from shared.mongo import connect
from services.notifications.channels import DeliveryError
from services.notifications.dispatcher import Dispatcher
from services.notifications.domain import recipients
from services.notifications.domain.notifications import Notification, reminder_key, scheduled_ids
from services.notifications.queue import LEASES
from services.notifications.rendering import Renderer
from services.notifications.store import BOUNDED_COLLECTIONS, NotificationStore, ensure_indexes, notification_gauges

pytestmark = pytest.mark.stack

PERSON = {"participant_id": "p1", "name": "Haleema Bano", "role": "seller", "preferred_language": "en", "email": None}


class Inbox:
    """An inbox channel that counts what it was asked to send, and can fail on demand."""

    def __init__(self, failing: bool = False):
        self.sent: list[str] = []
        self.failing = failing
        self.lock = threading.Lock()

    def send(self, notification, rendered):
        if self.failing:
            raise DeliveryError("inbox down")
        with self.lock:
            self.sent.append(notification.id)


@pytest.fixture
def make_store(settings_for):
    settings = settings_for("notifications")
    ensure_indexes(connect(settings))
    return lambda: NotificationStore(connect(settings), "notifications.events")


def note(n: int, **changes) -> Notification:
    [notification] = recipients.registration_received(f"event-{n}", None, {**PERSON, "participant_id": f"p{n}"})
    for key, value in changes.items():
        setattr(notification, key, value)
    return notification


def dispatcher(store, channel, **options) -> Dispatcher:
    return Dispatcher(store, Renderer(), {"inbox": channel}, **options)


def test_a_sent_notifications_entry_and_lease_disappear(make_store):
    store, inbox = make_store(), Inbox()
    assert store.add(note(1)) is True
    assert store.queue.size() == 1
    assert dispatcher(store, inbox).dispatch_once() is True
    assert inbox.sent == [note(1).id]
    assert store.queue.size() == 0 and store.db[LEASES].count_documents({}) == 0
    assert store.get(note(1).id).status == "sent"
    stored = {tuple(labels): value for labels, value in next(notification_gauges(store.db))[3]}
    assert stored == {("inbox", "sent"): 1.0}


def test_a_crash_between_queue_entry_and_notification_loses_nothing_and_sends_once(make_store):
    store, inbox = make_store(), Inbox()
    lost = note(2)
    store.queue.enqueue(lost.id, asdict(lost))  # the process died here, before the notification was written
    assert dispatcher(store, inbox).dispatch_once() is False  # not ready: the notification may still be on its way
    assert store.add(lost) is True  # the event is redelivered
    assert dispatcher(store, inbox).dispatch_once() is True
    assert dispatcher(store, inbox).dispatch_once() is False
    assert inbox.sent == [lost.id] and store.get(lost.id).status == "sent"


def test_an_entry_whose_notification_never_appeared_is_dropped_after_the_grace_period(make_store):
    store, inbox = make_store(), Inbox()
    orphan = note(3)
    store.queue.enqueue(orphan.id, asdict(orphan))
    assert dispatcher(store, inbox, grace=timedelta(0)).dispatch_once() is True
    assert inbox.sent == [] and store.queue.size() == 0 and store.get(orphan.id) is None


def test_an_entry_left_behind_by_a_dispatcher_that_died_after_sending_is_not_sent_again(make_store):
    store, inbox = make_store(), Inbox()
    store.add(note(4))
    [claim] = store.claim_due(datetime.now(timezone.utc), timedelta(0))  # its lease runs out at once
    store.collection.update_one({"_id": claim.id}, {"$set": {"status": "sent"}})  # sent and recorded; then it died
    assert dispatcher(store, inbox).dispatch_once() is True
    assert inbox.sent == [] and store.queue.size() == 0
    assert store.db[LEASES].count_documents({}) == 1  # the dead dispatcher's lease, until it is tidied
    store.tidy_queue(datetime.now(timezone.utc), timedelta(0))
    assert store.db[LEASES].count_documents({}) == 0


def test_a_failed_send_moves_the_entry_later_and_the_last_attempt_makes_it_dead(make_store):
    store, inbox = make_store(), Inbox(failing=True)
    store.add(note(5))
    sender = dispatcher(store, inbox, max_attempts=2)
    assert sender.dispatch_once() is True
    [entry] = store.queue.due.find({})
    assert entry["attempts"] == 1 and entry["due_at"] > datetime.now(timezone.utc)
    assert store.get(note(5).id).last_error == "inbox down"
    assert sender.dispatch_once() is False  # not due yet
    store.reschedule(note(5).id, datetime.now(timezone.utc))
    assert sender.dispatch_once() is True
    dead = store.get(note(5).id)
    assert (dead.status, dead.attempts) == ("dead", 2) and store.queue.size() == 0
    inbox.failing = False
    assert store.resend(note(5).id) is True
    assert sender.dispatch_once() is True
    assert inbox.sent == [note(5).id] and store.get(note(5).id).status == "sent"
    assert store.get(note(5).id).resends == 1
    assert store.resend(note(5).id) is True and store.get(note(5).id).resends == 2


def test_scheduled_messages_are_withdrawn_by_id_and_never_sent(make_store):
    store, inbox = make_store(), Inbox()
    key = reminder_key("meeting-1", 1)
    soon = datetime.now(timezone.utc) + timedelta(days=3)
    for person in ("s1", "b1"):
        store.add(note(6, recipient_id=person, address=person, schedule_key=key, kind="meeting_reminder", next_attempt_at=soon))
    assert store.queue.later.count_documents({}) == 2  # days ahead: out of the dispatcher's way
    assert store.cancel(scheduled_ids(key, "meeting_reminder", ["s1", "b1"])) == 2
    assert store.queue.size() == 0
    assert {n["status"] for n in store.find(kind="meeting_reminder")} == {"cancelled"}
    assert store.cancel(scheduled_ids(key, "meeting_reminder", ["s1", "b1"])) == 0


def test_entries_due_later_are_brought_forward_when_their_time_comes(make_store):
    store, inbox = make_store(), Inbox()
    later = note(7, next_attempt_at=datetime.now(timezone.utc) + timedelta(hours=2))
    store.add(later)
    assert store.queue.due.count_documents({}) == 0
    store.tidy_queue(datetime.now(timezone.utc) + timedelta(hours=2), timedelta(minutes=5))
    assert store.queue.due.count_documents({}) == 1 and store.queue.later.count_documents({}) == 0


def test_time_critical_notifications_are_claimed_before_bulk_ones(make_store):
    store = make_store()
    store.add(note(8, kind="thank_you", next_attempt_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    store.add(note(9, kind="verification_code"))
    [first] = store.claim_due(datetime.now(timezone.utc), timedelta(minutes=5), free={"inbox": 1})
    assert first.kind == "verification_code"


def test_two_dispatchers_running_together_send_each_notification_once(make_store):
    store, inbox = make_store(), Inbox()
    for n in range(40):
        store.add(note(100 + n))
    senders = [dispatcher(make_store(), inbox, workers={"inbox": 3}) for _ in range(2)]
    threads = [threading.Thread(target=s.run, args=(threading.Event(),), kwargs={"idle_seconds": 0.05, "until_idle": True}) for s in senders]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert len(inbox.sent) == 40 and len(set(inbox.sent)) == 40
    assert store.queue.size() == 0


def claiming_after(store, meanwhile):
    """``store``, whose claims are made after ``meanwhile()`` runs: between a dispatcher's
    scan of the due-queue and its claim from that scan."""
    store.claim_due = lambda *args, **kwargs: (meanwhile(), NotificationStore.claim_due(store, *args, **kwargs))[1]
    return store


def test_a_notification_another_dispatcher_sent_between_a_scan_and_a_claim_is_not_sent_again(make_store):
    """The other dispatcher's settling deleted its lease, so this one's claim from the
    older scan inserts the same lease number and wins: before, it sent its copy again."""
    inbox = Inbox()
    theirs = dispatcher(make_store(), inbox)
    mine = dispatcher(claiming_after(make_store(), theirs.dispatch_once), inbox)
    mine.store.add(note(200))
    assert mine.dispatch_once() is True
    assert inbox.sent == [note(200).id]
    assert mine.store.get(note(200).id).status == "sent"
    assert mine.store.queue.size() == 0 and mine.store.db[LEASES].count_documents({}) == 0


def test_a_notification_withdrawn_between_a_scan_and_a_claim_is_not_sent(make_store):
    store, inbox = make_store(), Inbox()
    key = reminder_key("meeting-2", 1)
    reminder = note(201, recipient_id="s1", address="s1", schedule_key=key)
    store.add(reminder)
    withdraw = lambda: store.cancel(scheduled_ids(key, reminder.kind, ["s1"]))  # noqa: E731
    assert dispatcher(claiming_after(make_store(), withdraw), inbox).dispatch_once() is True
    assert inbox.sent == [] and store.get(reminder.id).status == "cancelled"
    assert store.queue.size() == 0 and store.db[LEASES].count_documents({}) == 0


def test_bounded_collections_are_declared():
    assert {"notification_due", "notification_later", "notification_leases"} <= set(BOUNDED_COLLECTIONS)
