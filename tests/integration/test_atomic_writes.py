"""Single-document writes are atomic on the local stack, as on MongoDB.

FerretDB 1.x alone loses concurrent updates of one document (it queries, then writes
back, with no transaction between); the local stack puts ``write_guard.py`` in front of it.
These tests fail against a bare FerretDB and pass on MongoDB and on the guarded stack.
"""
import threading
from datetime import datetime, timedelta, timezone

import pymongo
import pytest
from pymongo import MongoClient, ReplaceOne, ReturnDocument, UpdateOne

pytestmark = pytest.mark.stack


def run_together(work, threads=4):
    barrier = threading.Barrier(threads)
    results = []

    def run(n):
        barrier.wait()
        results.append(work(n))

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    [t.start() for t in pool]
    [t.join() for t in pool]
    return results


@pytest.fixture
def collection(settings_for):
    settings = settings_for("registration")
    client = MongoClient(settings.mongodb_uri)
    yield lambda: MongoClient(settings.mongodb_uri)[settings.database_name]["atomic"]
    client.drop_database(settings.database_name)


def test_concurrent_increments_are_all_counted(collection):
    collection().insert_one({"_id": "counter", "n": 0})
    run_together(lambda _: [collection().update_one({"_id": "counter"}, {"$inc": {"n": 1}}) for _ in range(100)])
    assert collection().find_one({"_id": "counter"})["n"] == 400


def test_a_version_guard_lets_exactly_one_concurrent_writer_win(collection):
    collection().insert_one({"_id": "doc", "version": 1, "owner": None})
    results = run_together(lambda n: collection().update_one({"_id": "doc", "version": 1}, {"$set": {"owner": n, "version": 2}}).modified_count)
    assert sorted(results) == [0, 0, 0, 1]


def test_a_lease_is_claimed_by_one_worker_only(collection):
    now = datetime.now(timezone.utc)
    collection().insert_many([{"_id": f"n{i}", "status": "pending", "due": now} for i in range(20)])

    def claim_all(worker):
        got = []
        while True:
            doc = collection().find_one_and_update(
                {"status": "pending"}, {"$set": {"status": "sending", "by": worker, "until": now + timedelta(seconds=60)}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                return got
            got.append(doc["_id"])

    claimed = [doc_id for batch in run_together(claim_all) for doc_id in batch]
    assert sorted(claimed) == sorted(f"n{i}" for i in range(20))


def test_concurrent_guarded_updates_let_exactly_one_writer_win_each_time(settings_for):
    """Compare-and-set from clients that keep their connections (as services do): of three
    writers racing on {_id, v: 0}, exactly one modifies each document, every trial."""
    settings = settings_for("registration")
    clients = [MongoClient(settings.mongodb_uri)[settings.database_name]["cas"] for _ in range(3)]
    wins_per_trial = []
    for _ in range(15):
        clients[0].delete_many({})
        clients[0].insert_many([{"_id": f"d{i}", "v": 0} for i in range(4)])
        wins = run_together(lambda n: sum(clients[n].update_one({"_id": f"d{i}", "v": 0}, {"$set": {"by": n}, "$inc": {"v": 1}}).modified_count for i in range(4)), threads=3)
        wins_per_trial.append(sum(wins))
        assert [d["v"] for d in clients[0].find({})] == [1, 1, 1, 1]
    assert wins_per_trial == [4] * 15


def test_concurrent_increments_from_kept_connections_are_all_counted(settings_for):
    settings = settings_for("registration")
    clients = [MongoClient(settings.mongodb_uri)[settings.database_name]["kept"] for _ in range(4)]
    clients[0].insert_many([{"_id": f"c{i}", "n": 0} for i in range(4)])
    run_together(lambda n: [clients[n].update_one({"_id": f"c{i % 4}"}, {"$inc": {"n": 1}}) for i in range(100)])
    assert [d["n"] for d in clients[0].find({})] == [100, 100, 100, 100]


def test_bulk_writes_of_hundreds_of_updates_are_answered_and_leave_the_database_writable(collection):
    """FerretDB 1.x never answers one command of 100+ updates of existing documents, and
    the database takes no write after it; the stack's handshake makes drivers split them."""
    collection().insert_many([{"_id": f"b{i}", "n": 0} for i in range(250)])
    with pymongo.timeout(30):
        updated = collection().bulk_write([UpdateOne({"_id": f"b{i}"}, {"$inc": {"n": 1}}) for i in range(250)], ordered=False)
        replaced = collection().bulk_write([ReplaceOne({"_id": f"b{i}"}, {"n": 5}) for i in range(120)])
        after = collection().update_one({"_id": "b249"}, {"$inc": {"n": 1}})
    assert (updated.modified_count, replaced.modified_count, after.modified_count) == (250, 120, 1)
    assert sorted(d["n"] for d in collection().find({})) == [1] * 129 + [2] + [5] * 120
    assert collection().database.client.admin.command("hello")["maxWriteBatchSize"] < 100


def test_an_upsert_that_meets_an_existing_document_is_a_bulk_write_error_with_its_code(collection):
    """An inbox delivery met again: the upsert's query misses the document that holds the
    item, so its insert meets the _id (E11000). pymongo raises BulkWriteError with the code,
    as on MongoDB; FerretDB's reply alone, without nModified, made it a KeyError."""
    inboxes = collection()
    inboxes.insert_one({"_id": "recipient", "items": [{"id": "n1"}]})
    again = UpdateOne({"_id": "recipient", "items.id": {"$ne": "n1"}}, {"$push": {"items": {"id": "n1"}}}, upsert=True)
    with pytest.raises(pymongo.errors.BulkWriteError) as raised:
        inboxes.bulk_write([again], ordered=False)
    assert [e["code"] for e in raised.value.details["writeErrors"]] == [11000]
    assert inboxes.find_one({"_id": "recipient"})["items"] == [{"id": "n1"}]
