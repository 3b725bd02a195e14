"""The shape of the data layer: no hot path reads a collection that grows with history.

With tens of thousands of documents of history in every service's database, a meet is
run through the services' own code in-process (the HTTP apps through Flask's test
client, the relays, the consumers' handlers, the dispatcher, the follow-ups worker), and
every command they send to the database is recorded with pymongo's command monitoring.
Each query, update, delete or count must either

- name one document by ``_id`` (checked with the server's ``explain``: the filter is
  pushed down and SQLite searches the ``_id`` index instead of scanning), or
- read a collection its service declares bounded by pending work
  (``BOUNDED_COLLECTIONS``), which must then hold a small number of documents.

Organiser lists and reports are queries over history by nature; they are not run here.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

import pytest
from bson import ObjectId
from pymongo import monitoring

from shared import outbox
from shared.mongo import connect

pytestmark = pytest.mark.stack

READS = {"find", "count", "aggregate", "distinct", "findAndModify", "findandmodify"}
WRITES = {"update": "updates", "delete": "deletes"}
HISTORY_COPIES = 100
SMALL = 500


class Recorder(monitoring.CommandListener):
    """Keeps (database, collection, command, filter) of every command while recording."""

    def __init__(self):
        self.on = False
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, str, dict]] = []

    def started(self, event):
        if not self.on:
            return
        command = event.command
        name = event.command_name
        filters: list[dict] = []
        if name in READS:
            pipeline = command.get("pipeline") or []
            match = next((stage["$match"] for stage in pipeline if "$match" in stage), {})
            filters.append(command.get("filter") or command.get("query") or match or {})
        elif name in WRITES:
            filters.extend(statement.get("q", {}) for statement in command.get(WRITES[name], []))
        else:
            return
        collection = command.get(name)
        with self.lock:
            self.seen.extend((event.database_name, collection, name, f) for f in filters)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


RECORDER = Recorder()
monitoring.register(RECORDER)


def by_id(filter_: dict[str, Any]) -> bool:
    return isinstance(filter_.get("_id"), (str, ObjectId))


def copy_history(db, skip: set[str], copies: int) -> int:
    """Clone every document of ``db`` (but ``skip``) ``copies`` times under new ids."""
    stored = 0
    for name in db.list_collection_names():
        if name in skip:
            continue
        originals = [d for d in db[name].find({}) if not d.get(outbox.PENDING)]
        for copy in range(copies):
            clones = [{**d, "_id": f"{d['_id']}~h{copy}"} for d in originals]
            if clones:
                db[name].insert_many(clones, ordered=False)
                stored += len(clones)
    return stored


def explain_pushed_down(db, collection: str, filter_: dict) -> bool:
    reply = db.command("explain", {"find": collection, "filter": filter_}, verbosity="queryPlanner")
    plan = " ".join(reply.get("queryPlanner", {}).get("Plan", []))
    return bool(reply.get("filterPushdown")) and "SCAN" not in plan


def check_shape(databases: dict[str, Any], bounded: dict[str, set[str]]) -> list[str]:
    """Problems with what RECORDER saw: scans of unbounded collections, unindexed _id
    lookups, bounded collections that are not small."""
    problems = []
    explained: dict[tuple[str, str], bool] = {}
    service_of = {db.name: service for service, db in databases.items()}
    for database, collection, command, filter_ in RECORDER.seen:
        service = service_of.get(database)
        if service is None:
            continue
        if collection in bounded[service] or collection == outbox.POINTERS:
            continue
        if by_id(filter_):
            key = (database, collection)
            if key not in explained:
                explained[key] = explain_pushed_down(databases[service], collection, {"_id": filter_["_id"]})
                if not explained[key]:
                    problems.append(f"{service}: {command} on {collection} by _id is not answered from the index")
            continue
        problems.append(f"{service}: {command} on {collection} with filter {sorted(filter_)} reads the whole collection")
    for service, names in bounded.items():
        for name in names | {outbox.POINTERS}:
            count = databases[service][name].estimated_document_count()
            if count > SMALL:
                problems.append(f"{service}: bounded collection {name} holds {count} documents")
    return sorted(set(problems))


def test_hot_paths_read_by_id_or_from_collections_bounded_by_pending_work(settings_for):
    from tests.integration.shape_scenario import Platform

    platform = Platform(settings_for)
    platform.run_meet(tag=1, sellers=6, buyers=3)
    bounded = platform.bounded_collections()
    history = sum(copy_history(db, bounded[s] | {outbox.POINTERS, outbox.MIGRATED}, HISTORY_COPIES) for s, db in platform.databases.items())
    assert history >= 20_000, history

    RECORDER.seen.clear()
    RECORDER.on = True
    try:
        platform.run_meet(tag=2, sellers=6, buyers=3)
    finally:
        RECORDER.on = False
    per_service = defaultdict(int)
    for database, *_ in RECORDER.seen:
        per_service[database] += 1
    assert all(per_service[db.name] > 10 for db in platform.databases.values()), dict(per_service)
    assert check_shape(platform.databases, bounded) == []
