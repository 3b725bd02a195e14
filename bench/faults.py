"""``make faults`` (``python -m bench faults``): the platform under load while its parts are
SIGKILLed one at a time; one JSON line per fault.

The whole platform (every process of ``deploy/local/processes.py``, with an SMTP sink and
an SMS gateway sink) runs on its own stack: Kafka on 16092 (controller 16093), FerretDB
behind the write guard on 16017, APIs on 16001-16003, flow page 16004, SMTP sink 16025,
gateway sink 16026, state in ``.state/faults`` (wiped at the start). Each fault is one
phase with a meet of its own (``bench/fault_load.py``): a meet created and opened,
sellers and buyers registered, applied and approved, meeting requests and accepts, a
draft published, walk-ins. At the fault's injection point (``Fault.point``) its target
gets SIGKILL; it is started again ``down`` seconds later while the load goes on (the client
retries connection errors, timeouts and 5xx with the same ``Idempotency-Key``); a phase
may also hold several faults at different points (the short version in ``make test``
does). Then the
suite waits until the platform is quiet: no outbox pointer left in any service's
database, every consumer group at lag 0 on every partition, no notification due
(``notification_due`` empty), and the sinks unchanged between two checks a second apart.
A first line, ``none``, is the same phase without a fault.

Targets: ``kafka`` (the broker), ``ferretdb`` and ``write_guard`` (the database server and
the proxy in front of it), ``registration-relay``, ``matching-consumer``,
``matching-relay``, ``notifications-consumer``, ``notifications-relay`` and
``notifications-dispatcher``. A process that exits on its own meanwhile is listed in
``also_exited`` (and started again, so the next phase starts whole).

What is expected of each accepted write (2xx, possibly after retries; ``fault_audit.py``):

- every registration: the participant stored in registration and known to matching; a
  ``registration_received`` notification (email when they gave one, else the inbox) and a
  ``verification_code`` (SMS to the phone, else email) recorded and sent;
- every approval: ``participation_approved`` on each of the person's default channels
  (SMS if a phone, email if an address, and the inbox);
- every meeting request: ``meeting_requested`` to the person asked, on each channel, with
  the request's id; every accept: ``meeting_accepted`` to the asker, on each channel;
- every meeting of the published schedule and every walk-in (as stored by matching at the
  end): for both sides and each of their channels, the meeting announced, in a
  ``schedule_published`` message listing it or a ``meeting_added`` message about it, and
  its ``meeting_reminder`` recorded (it is due in 2027, so recorded, not sent).

"Sent" means the sink received a message with the notification's id (the email's
``X-BSM-Notification-ID`` header, the gateway body's ``reference``); for the inbox, the
notification's status is ``sent``. ``lost`` counts expectations not met (not recorded, or
recorded and never sent), plus participants not stored or unknown to matching and walk-ins
answered 201 but not stored. ``duplicated`` counts every extra message at the sinks with a
notification id already received, plus every extra distinct notification sent for one
expectation (a meeting announced twice, two approval messages on one channel).
``http_5xx`` counts 5xx answers other than 503 and ``http_503`` the 503s, over every
attempt; ``retries`` every attempt sent again; ``refused`` the writes that ended in a 4xx
(or were given up after ``RETRY_SECONDS``); ``settled_by_reading`` the retries refused
although an earlier attempt had done the write (an endpoint without idempotency);
``slowest_answer_s`` the longest a single attempt waited. ``seconds_to_recover`` runs from the target's
restart to quiet (the load's remaining steps included); ``null`` when it never got quiet
within ``QUIET_TIMEOUT`` (``not_quiet`` then says what was still moving).

Targets: 0 lost, 0 duplicated, 0 ``http_5xx``, for every fault.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from bench.fault_audit import Quiet, Sinks, audit
from bench.fault_load import Client, Tally, drive
from deploy.local import chaos
from deploy.local.gatewaysink import GatewaySink
from deploy.local.mailsink import MailSink
from deploy.local.processes import Platform
from deploy.local.stack import Stack, stack_from_env
from ops.kafka_views import Kafka
from shared.auth import Authenticator
from shared.config import load_settings
from shared.mongo import connect

REPO = Path(__file__).resolve().parents[1]
QUIET_TIMEOUT = 300.0
SERVICES = ("registration", "matching", "notifications")


OUTSIDE_THE_PIPELINE = ("web",)
"""Processes of ``make run`` the suite does not start: the web app takes no part in what it
judges (the services' APIs, consumers, relays and dispatcher), and on two cores it would
only take time from the processes under test."""


@dataclass(frozen=True)
class Ports:
    kafka: int = 16092
    controller: int = 16093
    mongo: int = 16017
    apis: tuple[int, int, int] = (16001, 16002, 16003)
    flow: int = 16004
    web: int = 16005
    smtp: int = 16025
    gateway: int = 16026


@dataclass(frozen=True)
class Fault:
    name: str
    target: str  # a stack component (kafka, ferretdb, mongo) or a platform process name
    point: str  # where in the load: registrations, requests, publish
    down: float  # seconds between the kill and the restart

    @property
    def in_stack(self) -> bool:
        """A server of the stack (else a process of the platform)."""
        return self.target in ("kafka", "ferretdb", "mongo")


FAULTS = (
    Fault("kafka", "kafka", "registrations", 8),
    Fault("ferretdb", "ferretdb", "registrations", 6),
    Fault("write_guard", "mongo", "registrations", 6),
    Fault("registration-relay", "registration-relay", "registrations", 3),
    Fault("matching-consumer", "matching-consumer", "registrations", 3),
    Fault("matching-relay", "matching-relay", "publish", 3),
    Fault("notifications-consumer", "notifications-consumer", "publish", 3),
    Fault("notifications-relay", "notifications-relay", "registrations", 3),
    Fault("notifications-dispatcher", "notifications-dispatcher", "publish", 3),
)


class Suite:
    """A platform on ``stack`` with its sinks, and the means to break it and judge it."""

    def __init__(self, stack: Stack, ports: Ports, log_dir: Path):
        self.stack, self.ports = stack, ports
        self.tag = uuid.uuid4().hex[:6]
        self.env = {
            "KAFKA_BOOTSTRAP_SERVERS": str(stack.kafka.endpoint),
            "KAFKA_CONTROLLER_PORT": str(stack.kafka.controller_port),
            "MONGODB_URI": f"mongodb://{stack.mongo.endpoint}/",
            "BSM_TOPIC_PREFIX": f"faults{self.tag}.",
            "BSM_RELAY_POLL_SECONDS": "0.1",
            "BSM_API_WORKERS": "1",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(ports.smtp),
            "BSM_OPS_PORT": str(ports.flow),
            "BSM_WEB_PORT": str(ports.web),
            "BSM_LOG_LEVEL": "INFO",
        }
        for service, port in zip(SERVICES, ports.apis):
            self.env[f"{service.upper()}_PORT"] = str(port)
            self.env[f"{service.upper()}_MONGODB_DATABASE"] = f"faults{self.tag}_{service}"
        self.log_dir = log_dir / f"platform-{self.tag}"
        self.mail: MailSink | None = None
        self.gateway: GatewaySink | None = None
        self.platform: Platform | None = None

    def start(self) -> "Suite":
        self.mail = MailSink(port=self.ports.smtp).start()
        self.gateway = GatewaySink(port=self.ports.gateway).start()
        self.env["SMS_GATEWAY_URL"] = self.gateway.url
        self.platform = Platform(self.env, log_dir=self.log_dir)
        self.platform.table = [p for p in self.platform.table if p.name not in OUTSIDE_THE_PIPELINE]
        self.platform.start()
        self.platform.wait_ready(timeout=120)
        settings = {s: load_settings(s, self.env) for s in SERVICES}
        self.dbs = {s: connect(settings[s]) for s in SERVICES}
        self.auth = Authenticator(settings["registration"].auth_secret, {})
        self.sinks = Sinks(lambda: self.mail.messages, lambda: self.gateway.received())
        self.quiet = Quiet(self.dbs, Kafka(self.env["KAFKA_BOOTSTRAP_SERVERS"]), self.env["BSM_TOPIC_PREFIX"], self.sinks)
        return self

    def stop(self) -> None:
        for part in (self.platform, self.mail, self.gateway):
            if part is not None:
                part.stop()

    def kill(self, fault: Fault) -> None:
        if fault.in_stack:
            chaos.sigkill(getattr(self.stack, fault.target))
        else:
            self.platform.kill(fault.target)

    def revive(self, fault: Fault) -> None:
        if fault.in_stack:
            chaos.restart(getattr(self.stack, fault.target))
        else:
            self.platform.restart(fault.target)

    def phase(self, faults: Sequence[Fault], sellers: int, buyers: int) -> dict[str, Any]:
        """Faults under one load (each at its point), then quiet, then the audit: one JSON line."""
        tally = Tally()
        registration = Client(f"http://127.0.0.1:{self.ports.apis[0]}", tally)
        matching = Client(f"http://127.0.0.1:{self.ports.apis[1]}", tally)
        restarted: list[float] = []
        revivers: list[threading.Thread] = []
        problems: list[str] = []

        def hook(point: str) -> None:
            for fault in (f for f in faults if f.point == point):
                try:
                    self.kill(fault)
                except Exception as exc:  # noqa: BLE001 - reported on the line
                    problems.append(f"{fault.name}: kill failed: {exc!r}")
                revivers.append(threading.Thread(target=later, args=(fault,), daemon=True))
                revivers[-1].start()

        def later(fault: Fault) -> None:
            time.sleep(fault.down)
            try:
                self.revive(fault)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{fault.name}: restart failed: {exc!r}")
            restarted.append(time.monotonic())

        started = time.monotonic()
        ledger = drive(registration, matching, self.auth.issue, sellers, buyers, hook)
        for thread in revivers:
            thread.join()
        load_done = time.monotonic()
        also_exited = [name for name in self.platform.restart_exited() if name not in {f.target for f in faults}]
        waited = self.quiet.wait(QUIET_TIMEOUT)
        quiet_at = time.monotonic()
        judged = audit(ledger, self.dbs, self.sinks)
        back = max(restarted, default=started)
        line = {
            "benchmark": "faults",
            "fault": "+".join(f.name for f in faults) or "none",
            "injected_at": "+".join(f.point for f in faults) or None,
            "down_s": max((f.down for f in faults), default=0),
            "accepted": tally.accepted,
            "participants": len(ledger.people),
            "approved": len(ledger.approved),
            "requests": len(ledger.requests),
            "published": ledger.published,
            "walk_ins": len(ledger.walk_ins),
            **{k: judged[k] for k in ("stored", "seen_by_matching", "meetings", "notifications_recorded", "messages_sent")},
            "lost": judged["lost"],
            "duplicated": judged["duplicated"],
            "http_5xx": tally.http_5xx,
            "http_503": tally.http_503,
            "connection_errors": tally.connection_errors,
            "retries": tally.retries,
            "refused": sum(tally.refused.values()),
            "settled_by_reading": tally.settled_by_reading,
            "slowest_answer_s": tally.slowest_s,
            "load_s": round(load_done - started, 1),
            "seconds_to_recover": round(quiet_at - back, 1) if waited is not None else None,
        }
        details = {
            "lost_by_kind": judged["lost_by_kind"], "duplicated_by_kind": judged["duplicated_by_kind"],
            "lost_samples": judged["lost_samples"], "refused_by_kind": dict(tally.refused), "client_samples": tally.samples,
            "notifications_dead": judged["notifications_dead"], "also_exited": also_exited, "problems": problems,
            "not_quiet": None if waited is not None else self.quiet.why,
        }
        line.update({k: v for k, v in details.items() if v})
        return line


def faults_stack(state_dir: Path, ports: Ports, env: Mapping[str, str] | None = None) -> Stack:
    """A stack of the suite's own (Kafka, FerretDB and the write guard on ``ports``)."""
    return stack_from_env({
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports.kafka}", "KAFKA_CONTROLLER_PORT": str(ports.controller),
        "MONGODB_URI": f"mongodb://127.0.0.1:{ports.mongo}/", "BSM_STATE_DIR": str(state_dir), **(env or {}),
    })


def run_suite(stack: Stack, ports: Ports, log_dir: Path, phases: Sequence[Sequence[Fault]] = ((),) + tuple((f,) for f in FAULTS),
              sellers: int = 16, buyers: int = 6, report: Callable[[dict], None] | None = None) -> list[dict]:
    """Each phase in turn (its faults under one load; ``()`` is the load without a fault)
    on a platform started on ``stack``; ``report(line)`` as each ends."""
    suite = Suite(stack, ports, log_dir).start()
    lines = []
    try:
        settled = suite.quiet.wait(QUIET_TIMEOUT)
        if settled is None:
            raise RuntimeError(f"the platform never got quiet after starting: {suite.quiet.why}")
        for faults in phases:
            line = suite.phase(faults, sellers, buyers)
            lines.append(line)
            if report:
                report(line)
    finally:
        suite.stop()
    return lines


def run(env: dict[str, str]) -> list[dict]:
    """``python -m bench faults``: the suite on its own stack; prints each line as it ends."""
    import json

    state_dir = Path(os.environ.get("BSM_FAULTS_STATE_DIR", REPO / ".state" / "faults"))
    stack = faults_stack(state_dir, Ports())
    stack.reset()
    stack.start()
    printed: list[dict] = []

    def report(line: dict) -> None:
        print(json.dumps(line), flush=True)
        printed.append(line)

    try:
        run_suite(stack, Ports(), state_dir / "logs", report=report)
    finally:
        stack.stop()
    return []  # already printed, one line per fault as it ended
