"""From a registration's 201 to matching knowing the seller and to the confirmation email.

The whole platform runs as ``make run`` starts it (the same process table), against the
benchmark's Kafka and FerretDB. Two phases:

Each registration also sends its verification code by SMS (to a local gateway sink), as
in production, so the dispatcher carries two messages per registration.

- steady: ``STEADY`` registrations at ``RATE`` per second; for each, the time from the 201
  to (a) matching's consumer having stored the seller (its "event handled" log line) and
  (b) the email reaching the SMTP sink. Baseline in the same run: a bare two-hop
  kafka-python relay on the same broker (producer -> topic A -> consumer that produces ->
  topic B -> consumer), the same number of messages at the same rate.
- burst: ``BURST`` registrations sent as fast as ``CLIENTS`` threads can; the seconds from
  the first request until every confirmation email has arrived.
"""
from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests
from kafka import KafkaConsumer, KafkaProducer

from bench.stack import REPO
from deploy.local.gatewaysink import GatewaySink
from deploy.local.mailsink import MailSink
from deploy.local.processes import Platform
from shared.contracts.registration import PARTICIPANT_REGISTERED
from shared.kafka_io import ensure_topics
from shared.config import load_settings
from shared.mongo import connect

STEADY, RATE, BURST, CLIENTS = 200, 20.0, 1000, 8
PORTS = {"registration": 28101, "matching": 28102, "notifications": 28103}
SMTP_PORT, OPS_PORT, WEB_PORT = 28125, 28104, 28105
DISTRICTS = ("Srinagar", "Budgam", "Anantnag", "Baramulla", "Pulwama", "Kupwara")


class Mailbox(MailSink):
    """The SMTP sink, noting when each correlation id's message arrived (monotonic s)."""

    def __init__(self, port: int):
        super().__init__(port=port)
        self.arrived: dict[str, float] = {}
        keeper_handle = self.keeper.handle_DATA

        async def handle(server, session, envelope):
            reply = await keeper_handle(server, session, envelope)
            message = self.keeper.messages[-1]
            self.arrived.setdefault(message["X-Correlation-ID"] or "", time.monotonic())
            return reply

        self.keeper.handle_DATA = handle


def run(env: dict[str, str]) -> list[dict]:
    tag = uuid.uuid4().hex[:6]
    platform_env = {
        **env,
        "BSM_TOPIC_PREFIX": f"pipe{tag}.",
        "BSM_API_WORKERS": "2",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(SMTP_PORT),
        "BSM_OPS_PORT": str(OPS_PORT),
        "BSM_WEB_PORT": str(WEB_PORT),
        "BSM_LOG_LEVEL": "INFO",
    }
    for service, port in PORTS.items():
        platform_env[f"{service.upper()}_PORT"] = str(port)
        platform_env[f"{service.upper()}_MONGODB_DATABASE"] = f"pipe{tag}_{service}"
    baseline = _bare_relay(env, tag)
    mail = Mailbox(SMTP_PORT).start()
    gateway = GatewaySink(port=0).start()
    platform_env["SMS_GATEWAY_URL"] = gateway.url
    log_dir = REPO / ".state" / "bench" / "logs" / f"pipeline-{tag}"
    platform = Platform(platform_env, log_dir=log_dir)
    platform.start()
    try:
        platform.wait_ready(timeout=90)
        api = f"http://127.0.0.1:{PORTS['registration']}/v1/sellers"
        _warm_up(api, mail, tag)
        steady = _steady(api, mail, log_dir, tag)
        burst = _burst(api, mail, tag)
        stored = _stored(platform_env)
    finally:
        platform.stop()
        mail.stop()
        gateway.stop()
    to_email = steady["to_email_ms"]
    return [
        {
            "benchmark": "pipeline",
            "registrations": STEADY,
            "rate_per_s": RATE,
            "to_matching_p50_ms": steady["to_matching_ms"]["p50"],
            "to_matching_p99_ms": steady["to_matching_ms"]["p99"],
            "to_email_p50_ms": to_email["p50"],
            "to_email_p99_ms": to_email["p99"],
            "baseline_two_hop_p50_ms": baseline["p50"],
            "baseline_two_hop_p99_ms": baseline["p99"],
            "to_email_p99_over_baseline_p99": round(to_email["p99"] / max(baseline["p99"], 0.001), 1),
            "emails_missing": steady["missing"],
            "target_to_email_p99_ms": 2000,
            "burst_registrations": BURST,
            "burst_all_emails_s": burst["seconds"],
            "burst_emails_missing": burst["missing"],
            "target_burst_s": 120,
            "documents_stored": stored,
        }
    ]


def seller(n: int, tag: str) -> dict:
    return {
        "name": f"Weaver {tag} {n}",
        "organisation": f"Loom {n}",
        "district": DISTRICTS[n % len(DISTRICTS)],
        "phone": f"+9170{abs(hash(tag)) % 1000:03d}{n:05d}",
        "email": f"weaver{n}.{tag}@example.in",
        "preferred_language": "en",
    }


def _register(session: requests.Session, api: str, body: dict, request_id: str) -> float:
    response = session.post(api, json=body, headers={"X-Request-ID": request_id}, timeout=60)
    if response.status_code != 201:
        raise RuntimeError(f"registration refused: {response.status_code} {response.text[:300]}")
    return time.monotonic()


def _warm_up(api: str, mail: Mailbox, tag: str) -> None:
    """One registration end to end, so topics, groups and connections exist before timing."""
    request_id = f"warm-{tag}"
    _register(requests.Session(), api, seller(99999, tag), request_id)
    _wait(lambda: request_id in mail.arrived, 120)


def _steady(api: str, mail: Mailbox, log_dir: Path, tag: str) -> dict:
    session = requests.Session()
    created: dict[str, float] = {}
    wall_offset = time.time() - time.monotonic()
    ids: dict[str, str] = {}
    started = time.monotonic()
    for n in range(STEADY):
        due = started + n / RATE
        time.sleep(max(0.0, due - time.monotonic()))
        request_id = f"steady-{tag}-{n}"
        response = session.post(api, json=seller(n, tag), headers={"X-Request-ID": request_id}, timeout=60)
        created[request_id] = time.monotonic()
        if response.status_code != 201:
            raise RuntimeError(f"registration refused: {response.status_code} {response.text[:300]}")
        ids[response.json()["id"]] = request_id
    _wait(lambda: all(r in mail.arrived for r in created), 120)
    known = _matching_times(log_dir, ids, wall_offset)
    return {
        "to_email_ms": _percentiles([(mail.arrived[r] - t) * 1000 for r, t in created.items() if r in mail.arrived]),
        "to_matching_ms": _percentiles([(known[r] - t) * 1000 for r, t in created.items() if r in known]),
        "missing": sum(1 for r in created if r not in mail.arrived),
    }


def _burst(api: str, mail: Mailbox, tag: str) -> dict:
    local = threading.local()

    def one(n: int) -> str:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        request_id = f"burst-{tag}-{n}"
        _register(local.session, api, seller(STEADY + n, tag), request_id)
        return request_id

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        request_ids = list(pool.map(one, range(BURST)))
    _wait(lambda: all(r in mail.arrived for r in request_ids), 180)
    last = max((mail.arrived[r] for r in request_ids if r in mail.arrived), default=time.monotonic())
    return {"seconds": round(last - started, 1), "missing": sum(1 for r in request_ids if r not in mail.arrived)}


def _matching_times(log_dir: Path, ids: dict[str, str], wall_offset: float) -> dict[str, float]:
    """When matching's consumer handled each seller's registration (from its JSON log)."""
    found: dict[str, float] = {}
    for line in (log_dir / "matching-consumer.log").read_text(errors="replace").splitlines():
        if '"event handled"' not in line or PARTICIPANT_REGISTERED not in line:
            continue
        record = json.loads(line)
        request_id = ids.get(record.get("subject"))
        if request_id:
            found[request_id] = datetime.fromisoformat(record["ts"]).timestamp() - wall_offset
    return found


def _bare_relay(env: dict[str, str], tag: str) -> dict:
    """Producer -> A -> consume-and-produce -> B -> consumer: latency per message, in ms."""
    settings = load_settings("bench", env)
    first, second = f"bare{tag}.a", f"bare{tag}.b"
    ensure_topics(settings, [first, second])
    servers = env["KAFKA_BOOTSTRAP_SERVERS"]
    producer = KafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5)
    hop = KafkaConsumer(first, bootstrap_servers=servers, group_id=f"bare{tag}hop", auto_offset_reset="earliest", enable_auto_commit=False)
    sink = KafkaConsumer(second, bootstrap_servers=servers, group_id=f"bare{tag}sink", auto_offset_reset="earliest", enable_auto_commit=False)
    hop_producer = KafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5)
    received: dict[bytes, float] = {}
    stop = threading.Event()

    def relay():
        while not stop.is_set():
            for records in hop.poll(timeout_ms=100).values():
                for record in records:
                    hop_producer.send(second, key=record.key, value=record.value)
                hop_producer.flush()
                hop.commit()

    def collect():
        while not stop.is_set():
            for records in sink.poll(timeout_ms=100).values():
                for record in records:
                    received.setdefault(record.key, time.monotonic())
                sink.commit()

    workers = [threading.Thread(target=relay, daemon=True), threading.Thread(target=collect, daemon=True)]
    [w.start() for w in workers]
    try:
        _wait(lambda: bool(hop.assignment()) and bool(sink.assignment()), 60)
        producer.send(first, key=b"warm", value=b"{}").get(timeout=30)
        _wait(lambda: b"warm" in received, 60)
        sent: dict[bytes, float] = {}
        started = time.monotonic()
        for n in range(STEADY):
            time.sleep(max(0.0, started + n / RATE - time.monotonic()))
            key = f"m{n}".encode()
            producer.send(first, key=key, value=b'{"n": %d}' % n).get(timeout=30)
            sent[key] = time.monotonic()
        _wait(lambda: all(k in received for k in sent), 60)
        return _percentiles([(received[k] - t) * 1000 for k, t in sent.items() if k in received])
    finally:
        stop.set()
        [w.join(5) for w in workers]
        for client in (producer, hop_producer, hop, sink):
            client.close()


def _stored(env: dict[str, str]) -> int:
    total = 0
    for service in PORTS:
        db = connect(load_settings(service, env))
        total += sum(db[name].estimated_document_count() for name in db.list_collection_names())
    return total


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p99": float("nan")}
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 1), "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1)}


def _wait(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
