"""The outbox publishes every accepted change exactly once in effect, even across a Kafka outage."""
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from shared import outbox
from shared.kafka_io import ensure_topics, make_producer, send_event
from shared.mongo import connect
from shared.outbox import OutboxRelay, pending_count
from shared.envelope import from_kafka
from services.registration.domain.participants import register_participant
from services.registration.messages import participant_event
from shared.contracts.registration import PARTICIPANT_REGISTERED
from services.registration.store import OUTBOX_COLLECTIONS, ParticipantStore, ensure_indexes
from tests.helpers import read_topic, wait_until

pytestmark = pytest.mark.stack


def seller(n: int):
    return register_participant(
        role="seller", country="IN", name=f"Weaver {n}", preferred_language="ks",
        district="Budgam", state="Jammu and Kashmir", phone=f"+9198765432{n:02d}",
    )


@pytest.fixture
def registration(settings_for):
    settings = settings_for("registration")
    db = connect(settings)
    ensure_indexes(db)
    topic = settings.topic("registration.events")
    ensure_topics(settings, [topic])
    return settings, db, topic, ParticipantStore(db, topic)


def test_relay_publishes_pending_events_and_clears_them(registration):
    settings, db, topic, store = registration
    sellers = [seller(n) for n in range(3)]
    for s in sellers:
        store.add(s, [participant_event(PARTICIPANT_REGISTERED, s)])
    assert pending_count(db, OUTBOX_COLLECTIONS) == 3
    producer = make_producer(settings)
    try:
        relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: send_event(producer, t, e))
        assert relay.relay_once() == 3
        assert relay.relay_once() == 0
    finally:
        producer.close()
    records = read_topic(settings, topic, expect=3)
    assert sorted(from_kafka(r.key, r.value, r.headers).subject for r in records) == sorted(s.id for s in sellers)
    assert pending_count(db, OUTBOX_COLLECTIONS) == 0


def test_changes_accepted_while_kafka_is_down_are_published_once_it_is_back(stack, registration):
    settings, db, topic, store = registration
    producer = make_producer(settings)
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: send_event(producer, t, e, timeout=5))
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop, 0.05, 1.0), daemon=True)
    worker.start()
    try:
        stack.stop_kafka()
        sellers = [seller(n) for n in range(10, 14)]
        for s in sellers:
            store.add(s, [participant_event(PARTICIPANT_REGISTERED, s)])
        assert pending_count(db, OUTBOX_COLLECTIONS) == 4
        stack.start_kafka()
        wait_until(lambda: pending_count(db, OUTBOX_COLLECTIONS) == 0, timeout=90, what="outbox to drain")
    finally:
        stop.set()
        worker.join(timeout=30)
        producer.close()
    records = read_topic(settings, topic, expect=4)
    published = {e.id: e for e in (from_kafka(r.key, r.value, r.headers) for r in records)}
    assert sorted(e.subject for e in published.values()) == sorted(s.id for s in sellers)


def test_a_write_still_in_flight_when_the_relay_looks_is_published_on_the_next_round(registration):
    """The relay reads the pointer before the document is written: the pointer survives."""
    settings, db, topic, store = registration
    published = []
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.subject))
    s = seller(30)
    with outbox.writing(db, "participants", s.id):
        assert relay.relay_once() == 0
        db["participants"].insert_one(outbox.new_document({"_id": s.id}, [outbox.outbox_entry(topic, participant_event(PARTICIPANT_REGISTERED, s))]))
    assert relay.relay_once() == 1
    assert published == [s.id]
    assert db[outbox.POINTERS].count_documents({}) == 0


def test_a_pointer_touched_while_the_relay_works_is_kept(registration):
    """A write announced after the relay read the pointer is not dropped with it."""
    settings, db, topic, store = registration
    s = seller(31)
    store.add(s, [participant_event(PARTICIPANT_REGISTERED, s)])
    published = []

    def publish_and_meanwhile_write(t, e):
        published.append(e.id)
        if len(published) == 1:
            store.announce(s.id, [participant_event(PARTICIPANT_REGISTERED, s)])

    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, publish_and_meanwhile_write)
    assert relay.relay_once() == 1
    assert db[outbox.POINTERS].count_documents({}) == 1
    assert relay.relay_once() == 1
    assert len(set(published)) == 2
    assert db[outbox.POINTERS].count_documents({}) == 0
    assert pending_count(db) == 0


def test_a_writer_that_died_mid_write_leaves_nothing_stuck(registration):
    """in_flight stays above zero when a writer dies between its pointer updates; its
    events are still published, and the pointer goes once it has been quiet long enough."""
    settings, db, topic, store = registration
    s = seller(32)
    db[outbox.POINTERS].update_one({"_id": outbox.pointer_id("participants", s.id)},
                                   {"$set": {"collection": "participants", "document_id": s.id, "n": 1, "in_flight": 1, "at": datetime.now(timezone.utc) - timedelta(minutes=5)}}, upsert=True)
    db["participants"].insert_one(outbox.new_document({"_id": s.id}, [outbox.outbox_entry(topic, participant_event(PARTICIPANT_REGISTERED, s))]))
    published = []
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.subject), abandon_after=60)
    assert relay.relay_once() == 1
    assert published == [s.id]
    assert db[outbox.POINTERS].count_documents({}) == 0


def test_concurrent_writers_lose_no_event_to_a_running_relay(registration):
    settings, db, topic, store = registration
    published: list[str] = []
    lock = threading.Lock()

    def publish(t, e):
        with lock:
            published.append(e.id)

    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, publish)
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop, 0.01, 0.1), daemon=True)
    worker.start()
    sent: list[str] = []

    def write(n):
        for k in range(15):
            s = seller(40 + n * 15 + k)
            event = participant_event(PARTICIPANT_REGISTERED, s)
            store.add(s, [event])
            extra = participant_event(PARTICIPANT_REGISTERED, s)
            store.announce(s.id, [extra])
            with lock:
                sent.extend([event.id, extra.id])

    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    [w.start() for w in writers]
    [w.join() for w in writers]
    wait_until(lambda: pending_count(db) == 0 and db[outbox.POINTERS].count_documents({}) == 0, timeout=30, what="outbox to drain")
    stop.set()
    worker.join(timeout=10)
    assert set(published) == set(sent)


def test_documents_written_before_pointers_existed_are_adopted_once(registration):
    settings, db, topic, store = registration
    s = seller(90)
    db["participants"].insert_one(outbox.new_document({"_id": s.id}, [outbox.outbox_entry(topic, participant_event(PARTICIPANT_REGISTERED, s))]))
    db[outbox.MIGRATED].delete_many({})
    assert outbox.adopt_unpointed(db, OUTBOX_COLLECTIONS) == 1
    assert outbox.adopt_unpointed(db, OUTBOX_COLLECTIONS) == 0
    published = []
    assert OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.subject)).relay_once() == 1
    assert published == [s.id]


def test_entries_stored_as_sub_documents_before_the_text_form_are_published_and_cleared_with_the_new_ones(registration):
    settings, db, topic, store = registration
    s = seller(91)
    older, newer = participant_event(PARTICIPANT_REGISTERED, s), participant_event(PARTICIPANT_REGISTERED, replace(s, version=2))
    legacy = {"topic": topic, "event": {"id": older.id, "type": older.type, "source": older.source, "subject": older.subject,
                                        "time": older.time, "correlation_id": older.correlation_id, "causation_id": None, "data": older.data}}
    outbox.insert_one(db, "participants", {"_id": s.id}, [legacy])
    outbox.update_one(db, "participants", {"_id": s.id}, {"$set": {"name": "x"}}, [outbox.outbox_entry(topic, newer)])
    published = []
    assert OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e)).relay_once() == 2
    assert [(e.id, e.data["version"], e.time) for e in published] == [(older.id, 1, older.time), (newer.id, 2, newer.time)]
    assert outbox.stored_events(db["participants"].find_one({"_id": s.id})) == [] and pending_count(db, OUTBOX_COLLECTIONS) == 0


def test_an_insert_announced_but_not_landed_waits_and_is_published_when_it_lands(registration):
    """An insert leaves one pointer and no closing write: the relay waits for the document."""
    settings, db, topic, store = registration
    s = seller(33)
    outbox.pointing_at_new(db, "participants", s.id)
    published = []
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.subject))
    assert relay.relay_once() == 0
    assert db[outbox.POINTERS].count_documents({}) == 1
    db["participants"].insert_one(outbox.new_document({"_id": s.id}, [outbox.outbox_entry(topic, participant_event(PARTICIPANT_REGISTERED, s))]))
    assert relay.relay_once() == 1
    assert published == [s.id]
    assert db[outbox.POINTERS].count_documents({}) == 0


def test_a_pointer_whose_insert_never_landed_goes_once_quiet(registration):
    settings, db, topic, store = registration
    outbox.pointing_at_new(db, "participants", "never-written")
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: None, abandon_after=0)
    assert relay.relay_once() == 0
    assert db[outbox.POINTERS].count_documents({}) == 0


def test_update_each_writes_many_documents_and_their_events_in_bulk(registration):
    settings, db, topic, store = registration
    sellers = [seller(60 + n) for n in range(5)]
    for s in sellers:
        db["participants"].insert_one({"_id": s.id, "version": 1})
    events = {s.id: participant_event(PARTICIPANT_REGISTERED, s) for s in sellers}
    writes = [({"_id": s.id, "version": 1}, {"$set": {"version": 2}}, [outbox.outbox_entry(topic, events[s.id])]) for s in sellers]
    writes.append(({"_id": "no-events"}, {"$set": {"x": 1}}, []))
    result = outbox.update_each(db, "participants", writes)
    assert result.modified_count == 5
    pointers = list(db[outbox.POINTERS].find({}))
    assert len(pointers) == 1, "one pointer for the bulk, not one per document"
    assert pointers[0]["in_flight"] == 0 and sorted(pointers[0]["document_ids"]) == sorted(s.id for s in sellers)
    published = []
    assert OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.id)).relay_once() == 5
    assert sorted(published) == sorted(e.id for e in events.values())
    assert db[outbox.POINTERS].count_documents({}) == 0



def test_a_document_named_by_two_pointers_is_read_and_published_once_a_round(registration):
    """Two bulks updated the same document (each leaves its own pointer) and a plain update
    too: one relay round reads it once and publishes each of its events once."""
    settings, db, topic, store = registration
    s = seller(85)
    db["participants"].insert_one({"_id": s.id, "version": 1})
    events = [participant_event(PARTICIPANT_REGISTERED, s) for _ in range(3)]
    for version, event in enumerate(events[:2], start=2):
        outbox.update_each(db, "participants", [({"_id": s.id}, {"$set": {"version": version}}, [outbox.outbox_entry(topic, event)])])
    outbox.update_one(db, "participants", {"_id": s.id}, {"$set": {"version": 4}}, [outbox.outbox_entry(topic, events[2])])
    assert db[outbox.POINTERS].count_documents({}) == 3
    published = []
    assert OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.id)).relay_once() == 3
    assert sorted(published) == sorted(e.id for e in events)
    assert db[outbox.POINTERS].count_documents({}) == 0

class _RelayingMidWrite:
    """A database whose ``participants`` runs a relay round right after its bulk write
    lands and before ``update_each`` lowers the pointer (a writer still in flight)."""

    def __init__(self, db, relay_round):
        self.db, self.relay_round = db, relay_round

    def __getitem__(self, name):
        collection = self.db[name]
        if name != "participants":
            return collection
        relay_round = self.relay_round

        class Collection:
            def bulk_write(self, requests, **options):
                result = collection.bulk_write(requests, **options)
                relay_round()
                return result
        return Collection()


def test_a_bulk_still_in_flight_keeps_its_pointer_until_it_is_lowered(registration):
    """The relay publishes what a bulk has landed while its writer has not lowered the
    pointer, keeps the pointer, and deletes it at the round after: nothing is published
    twice, nothing is left behind."""
    settings, db, topic, store = registration
    sellers = [seller(70 + n) for n in range(3)]
    for s in sellers:
        db["participants"].insert_one({"_id": s.id, "version": 1})
    events = {s.id: participant_event(PARTICIPANT_REGISTERED, s) for s in sellers}
    published, rounds = [], []
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.id))
    writes = [({"_id": s.id}, {"$set": {"version": 2}}, [outbox.outbox_entry(topic, events[s.id])]) for s in sellers]
    outbox.update_each(_RelayingMidWrite(db, lambda: rounds.append(relay.relay_once())), "participants", writes)
    assert rounds == [3]
    assert db[outbox.POINTERS].count_documents({}) == 1
    assert relay.relay_once() == 0
    assert db[outbox.POINTERS].count_documents({}) == 0
    assert sorted(published) == sorted(e.id for e in events.values())
    assert pending_count(db, OUTBOX_COLLECTIONS) == 0


def test_a_bulk_whose_writer_died_before_lowering_its_pointer_goes_once_quiet(registration):
    settings, db, topic, store = registration
    s = seller(80)
    db["participants"].insert_one({"_id": s.id, "version": 1})

    def die():
        raise KeyboardInterrupt

    writes = [({"_id": s.id}, {"$set": {"version": 2}}, [outbox.outbox_entry(topic, participant_event(PARTICIPANT_REGISTERED, s))])]
    with pytest.raises(KeyboardInterrupt):
        outbox.update_each(_RelayingMidWrite(db, die), "participants", writes)
    db[outbox.POINTERS].update_many({}, {"$set": {"in_flight": 1}})  # the lowering never ran: the process died
    published = []
    assert OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.subject)).relay_once() == 1
    assert db[outbox.POINTERS].count_documents({}) == 1
    assert OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: published.append(e.subject), abandon_after=0).relay_once() == 0
    assert db[outbox.POINTERS].count_documents({}) == 0
    assert published == [s.id]
