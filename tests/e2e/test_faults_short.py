"""The fault suite (``make faults``, ``bench/faults.py``), short: one small load while a
consumer, the write guard and the dispatcher are SIGKILLed at three points of it; nothing
accepted may be lost or sent twice, and no answer may be a 5xx other than 503.

The platform runs on a FerretDB and write guard of its own (port 15017, state in
``.state/test-faults``), APIs on 15001-15004 and sinks on 15025-15026, so killing them
disturbs no other test; it shares the run's Kafka (its own topic prefix), which it does
not kill. The audit is also fed a dispatcher that sent a message twice and one that never
sent a message, and must see both.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.fault_audit import Sinks, audit
from bench.fault_load import Ledger
from bench.faults import FAULTS, Ports, faults_stack, run_suite
from tests.conftest import REPO, TEST_ENV

pytestmark = pytest.mark.stack

PORTS = Ports(kafka=0, controller=0, mongo=15017, apis=(15001, 15002, 15003), flow=15004, web=15005, smtp=15025, gateway=15026)
BY_NAME = {f.name: f for f in FAULTS}
# one load, three kills: a consumer while people register, the write guard while meetings
# are requested, the dispatcher as the schedule is published (recovery is bounded by the
# consumer group's session timeout and the dispatcher's lease, so they share one wait)
SHORT = (replace(BY_NAME["notifications-consumer"], point="registrations"), replace(BY_NAME["write_guard"], point="requests"),
         BY_NAME["notifications-dispatcher"])


@pytest.fixture
def fault_stack(stack):
    """The run's Kafka, with a FerretDB and write guard of this test's own."""
    state_dir = Path(REPO, ".state", "test-faults")
    own = faults_stack(state_dir, PORTS, {"KAFKA_BOOTSTRAP_SERVERS": TEST_ENV["KAFKA_BOOTSTRAP_SERVERS"],
                                          "KAFKA_CONTROLLER_PORT": TEST_ENV["KAFKA_CONTROLLER_PORT"]})
    own.reset()
    own.start()
    yield own
    own.reset()


@pytest.mark.timeout(400)
def test_nothing_accepted_is_lost_or_sent_twice_when_parts_are_killed(fault_stack):
    lines = run_suite(fault_stack, PORTS, Path(REPO, ".state", "test-faults", "logs"), phases=[SHORT], sellers=4, buyers=2,
                      report=lambda line: print(json.dumps(line), flush=True))
    [line] = lines
    assert line["fault"] == "notifications-consumer+write_guard+notifications-dispatcher", line
    assert line["participants"] == 6 and line["published"] and line["http_503"] > 0, line
    assert line["stored"] == line["seen_by_matching"] == 6, line
    assert line["messages_sent"] > 0 and line["seconds_to_recover"] is not None, line
    assert (line["lost"], line["duplicated"], line["http_5xx"]) == (0, 0, 0), line


class _Collection:
    def __init__(self, docs):
        self.docs = docs

    def find(self, query, projection=None):
        wanted = set(query.get("_id", query.get("recipient_id", {})).get("$in", [])) if "meet_id" not in query else None
        if wanted is None:
            return [d for d in self.docs if d.get("meet_id") == query["meet_id"]]
        return [d for d in self.docs if d.get("_id") in wanted or d.get("recipient_id") in wanted]


def _registered(pid: str) -> tuple[dict, list[dict]]:
    """A buyer with an email: their registration_received and verification_code notifications."""
    person = {"role": "buyer", "phone": None, "email": f"{pid}@example.in", "name": pid}
    notifications = [{"_id": f"{pid}-{kind}", "recipient_id": pid, "kind": kind, "channel": "email", "context": {}, "status": "sent"}
                     for kind in ("registration_received", "verification_code")]
    return person, notifications


def test_the_audit_sees_a_message_sent_twice_and_one_never_sent():
    ledger = Ledger(meet_id="m1", people={})
    docs: list[dict] = []
    for pid in ("a", "b"):
        ledger.people[pid], notes = _registered(pid)
        docs += notes
    dbs = {"registration": {"participants": _Collection([{"_id": "a"}, {"_id": "b"}])},
           "matching": {"participants": _Collection([{"_id": "a"}, {"_id": "b"}]), "meetings": _Collection([])},
           "notifications": {"notifications": _Collection(docs)}}
    # a's two messages arrived, the first twice (a dispatcher that sent twice); b's code never went
    emails = [{"X-BSM-Notification-ID": i} for i in ("a-registration_received", "a-registration_received", "a-verification_code", "b-registration_received")]
    judged = audit(ledger, dbs, Sinks(lambda: emails, lambda: []))
    assert judged["duplicated"] == 1 and judged["duplicated_by_kind"] == {"registration_received (same id)": 1}
    assert judged["lost"] == 1 and judged["lost_by_kind"] == {"verification_code/email not sent": 1}
    assert judged["messages_sent"] == 4
