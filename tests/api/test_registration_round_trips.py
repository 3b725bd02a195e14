"""What a registration costs the database, and that a participant's reads and writes name
their document by ``_id`` (answered from the index, whatever the history)."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from pymongo import monitoring

from tests.api.conftest import ORGANISER, register, token_for

pytestmark = pytest.mark.stack


class Commands(monitoring.CommandListener):
    """The commands sent to one database (``watched``) as ``(name, collection, filter)``;
    commands without a filter (inserts) get an empty one."""

    watched: str | None = None
    sent: list[tuple[str, str, dict]] = []

    def started(self, event):
        if event.database_name == self.watched:
            command = event.command
            statements = command.get("updates") or command.get("deletes") or [{"q": command.get("filter") or {}}]
            self.sent.extend((event.command_name, command.get(event.command_name), s.get("q") or {}) for s in statements)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


COMMANDS = Commands()
monitoring.register(COMMANDS)


@contextmanager
def recording(db):
    COMMANDS.watched, COMMANDS.sent = db.name, []
    try:
        yield COMMANDS.sent
    finally:
        COMMANDS.watched = None


def test_registering_reads_nothing_and_claims_phone_and_gstin_in_one_insert(client, db):
    client.get("/v1/reference/states")  # loads the reference data, which the process keeps a while
    with recording(db) as seen:
        register(client)
    assert [(command, collection) for command, collection, _ in seen] == [
        ("insert", "identities"), ("insert", "outbox_pointers"), ("insert", "participants"),
    ]


def test_a_participants_reads_and_writes_name_it_by_id_and_the_server_uses_the_index(client, db):
    seller = register(client)
    path = f"/v1/sellers/{seller['id']}"
    with recording(db) as seen:
        assert client.get(path, headers=ORGANISER).status_code == 200
        changed = client.patch(path, json={"phone": "+919811122233"}, headers={**ORGANISER, "If-Match": '"1"'})
        assert changed.status_code == 200, changed.get_json()
        assert client.post(f"/v1/participants/{seller['id']}/verification-code", json={}).status_code == 202
        wrong = client.post(f"/v1/participants/{seller['id']}/verify", json={"code": "000000"})
        assert wrong.status_code in (422, 400)
        token_for(client, db, seller["id"])
    by_collection = {collection for command, collection, filter_ in seen if command in ("find", "update", "delete")}
    assert by_collection >= {"participants", "identities"}
    for command, collection, filter_ in seen:
        if command in ("find", "update", "delete"):
            assert isinstance(filter_.get("_id"), str), (command, collection, filter_)
    plan = db.command("explain", {"find": "participants", "filter": {"_id": seller["id"], "version": 2}}, verbosity="queryPlanner")
    assert plan["filterPushdown"] and "USING INDEX" in " ".join(plan["queryPlanner"]["Plan"])


def test_a_claim_of_a_registration_still_in_flight_is_not_taken_over(client, db):
    from datetime import datetime, timezone

    db["identities"].insert_one({"_id": "phone:+919811000077", "participant_id": "in-flight", "at": datetime.now(timezone.utc)})
    response = client.post("/v1/sellers", json={"name": "Second Weaver", "district": "Budgam", "phone": "+919811000077"})
    assert response.status_code == 409 and response.get_json()["existing_id"] == "in-flight"
    assert db["participants"].count_documents({}) == 0
