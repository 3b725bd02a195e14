"""``POST /v1/sellers`` under concurrent load, against a bare Flask + pymongo insert endpoint.

Both apps are served by gunicorn with the arguments ``make run`` gives registration's API
(deploy/local/processes.py) and the same environment, talk to the same FerretDB through
the same write guard, and each already holds ``SELLERS`` sellers (documents shaped as the
store writes them, with their identity keys). The same request bodies are sent to both,
from ``CONCURRENCY`` client threads, one new connection per request (gunicorn's sync
workers close each one). The apps take turns, ``ROUNDS`` times, so a busy moment of the
machine does not fall on one of them only; the figures add the rounds up. No outbox relay
runs (the ``outbox_relay`` and ``pipeline`` benchmarks measure it), so the registrations'
events and outbox pointers stay stored. Targets: requests/s at least 0.8x the baseline's,
p99 at most 1.5x.

Each line also gives where the CPU went, in milliseconds per request: the app's gunicorn
processes, FerretDB and the write guard (``cpu_ms_per_request``), so a change of the ratio
can be traced to a side.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from pymongo import MongoClient

from bench.stack import cpu_seconds, database_pids, process_group
from deploy.local.processes import REPO, answers, api_argv
from services.registration.domain.identifiers import gstin_check_character
from services.registration.domain.participants import register_participant
from services.registration.store import seed_documents

SELLERS = 10_000
REQUESTS = 1_000
CONCURRENCY = 8
ROUNDS = 2
PORTS = {"registration": 28311, "baseline": 28312}
BASELINE_DATABASE = "BENCH_BASELINE_DATABASE"
REGISTRATION_APP = "services.registration.app:create_app()"


def baseline_app():
    """``gunicorn 'bench.registration_api:baseline_app()'``: one ``insert_one`` per POST."""
    from flask import Flask, request

    app = Flask(__name__)
    collection = MongoClient(os.environ["MONGODB_URI"], tz_aware=True)[os.environ[BASELINE_DATABASE]]["sellers"]

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/v1/sellers")
    def insert():
        document = {**request.get_json(), "_id": uuid.uuid4().hex}
        collection.insert_one(document)
        return {"id": document["_id"]}, 201

    return app


def seller_body(n: int) -> dict:
    """A seller as the registration form sends it; ``n`` makes the phone and GSTIN unique."""
    pan = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(n // 26**i) % 26] for i in range(5)) + f"{n % 9_999 + 1:04d}" + "F"  # serial 0000 is no PAN
    gstin = f"01{pan}1Z"
    return {
        "name": f"Seller {n}",
        "organisation": f"Works {n}",
        "district": "Srinagar",
        "enterprise_kind": "artisan",
        "phone": f"+9198{n:08d}",
        "email": f"seller{n}@example.in",
        "preferred_language": "ks",
        "gstin": gstin + gstin_check_character(gstin),
        "products": [{"name": "Pashmina shawl", "category": "handloom", "gi_tag": "Kashmir Pashmina", "price_band": {"min": "8000", "max": "60000", "unit": "piece"}}],
    }


def store_sellers(db, first: int, count: int) -> None:
    """``count`` sellers written straight into registration's collections (not timed)."""
    batch: dict[str, list[dict]] = {}
    for n in range(first, first + count):
        body = seller_body(n)
        body["products"] = [{"id": uuid.uuid4().hex, **p} for p in body["products"]]
        participant = register_participant(role="seller", country="IN", state="Jammu and Kashmir", **body)
        for collection, document in seed_documents(participant):
            batch.setdefault(collection, []).append(document)
        if len(batch.get("participants", [])) >= 500 or n == first + count - 1:
            for collection, documents in batch.items():
                db[collection].insert_many(documents, ordered=False)
            batch = {}


def gunicorn(name: str, app: str, port: int, env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    """Start ``app`` under gunicorn exactly as registration's API is started, on ``port``;
    its log goes to ``log_dir/<name>.log``."""
    argv = api_argv("registration", env, port, sys.executable, app)
    metrics = log_dir / f"metrics-{name}"
    metrics.mkdir(parents=True)
    log = open(log_dir / f"{name}.log", "ab")
    process = subprocess.Popen(argv, cwd=REPO, env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 60
    while not answers(f"http://127.0.0.1:{port}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start; see {log_dir / (name + '.log')}")
        time.sleep(0.2)
    return process


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(30)


def post_all(port: int, bodies: list[bytes], concurrency: int = CONCURRENCY) -> tuple[float, list[float], list[int]]:
    """POST each body once from ``concurrency`` threads; (seconds, latencies, statuses)."""
    latencies: list[float] = []
    statuses: list[int] = []
    queue = iter(bodies)
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                body = next(queue, None)
            if body is None:
                return
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("POST", "/v1/sellers", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                connection.close()
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(env: dict[str, str], sellers: int = SELLERS, requests: int = REQUESTS, rounds: int = ROUNDS) -> dict:
    tag = uuid.uuid4().hex[:6]
    databases = {"registration": f"bench{tag}_registration", "baseline": f"bench{tag}_baseline"}
    app_env = {
        **os.environ, **env, "PYTHONUNBUFFERED": "1", "BSM_TOPIC_PREFIX": f"bench{tag}.",
        "REGISTRATION_MONGODB_DATABASE": databases["registration"], BASELINE_DATABASE: databases["baseline"],
    }
    client = MongoClient(env["MONGODB_URI"], tz_aware=True)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-registration-"))
    started: list[subprocess.Popen] = []
    try:
        store_sellers(client[databases["registration"]], 0, sellers)
        client[databases["baseline"]]["sellers"].insert_many([{**seller_body(n), "_id": uuid.uuid4().hex} for n in range(sellers)])
        started.append(gunicorn("registration", REGISTRATION_APP, PORTS["registration"], app_env, log_dir))
        started.append(gunicorn("baseline", "bench.registration_api:baseline_app()", PORTS["baseline"], app_env, log_dir))
        figures = {name: {"seconds": 0.0, "latencies": [], "failed": 0, "cpu": {}} for name in PORTS}
        servers = database_pids()
        for round_ in range(rounds):
            first = sellers + round_ * requests
            bodies = [json.dumps(seller_body(n)).encode() for n in range(first, first + requests)]
            for (name, port), process in zip(PORTS.items(), started):
                sides = {"app": process_group(process.pid), **{side: [pid] for side, pid in servers.items()}}
                before = {side: cpu_seconds(pids) for side, pids in sides.items()}
                seconds, latencies, statuses = post_all(port, bodies)
                for side, pids in sides.items():
                    figures[name]["cpu"][side] = figures[name]["cpu"].get(side, 0.0) + cpu_seconds(pids) - before[side]
                figures[name]["seconds"] += seconds
                figures[name]["latencies"] += latencies
                figures[name]["failed"] += sum(1 for s in statuses if s != 201)
        stored = {name: client[db]["participants" if name == "registration" else "sellers"].estimated_document_count() for name, db in databases.items()}
    finally:
        stop(started)
        for db in databases.values():
            client.drop_database(db)
        client.close()
        shutil.rmtree(log_dir, ignore_errors=True)
    result = {"benchmark": "registration_api", "sellers_stored_before": sellers, "documents_stored_after": stored, "concurrency": CONCURRENCY, "requests_per_app": rounds * requests}
    for name, figure in figures.items():
        result[f"{name}_requests_per_s"] = round(len(figure["latencies"]) / figure["seconds"], 1)
        result[f"{name}_p50_ms"] = round(percentile(figure["latencies"], 0.50) * 1000, 1)
        result[f"{name}_p99_ms"] = round(percentile(figure["latencies"], 0.99) * 1000, 1)
        result[f"{name}_failed"] = figure["failed"]
        result[f"{name}_cpu_ms_per_request"] = {side: round(seconds * 1000 / len(figure["latencies"]), 2) for side, seconds in figure["cpu"].items()}
    result["requests_per_s_ratio"] = round(result["registration_requests_per_s"] / result["baseline_requests_per_s"], 3)
    result["p99_ratio"] = round(result["registration_p99_ms"] / result["baseline_p99_ms"], 3)
    result["targets"] = {"requests_per_s_ratio": ">= 0.8", "p99_ratio": "<= 1.5"}
    return result
