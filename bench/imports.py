"""A 1,000-row seller CSV through ``POST /v1/imports/sellers``: seconds to the full report.

Registration's API runs under gunicorn as ``make run`` starts it, against a database
already holding ``SELLERS`` sellers. The clock runs from the upload to the moment the
import job, read through its ``Location``, shows the complete per-row report. Baseline in
the same run: one ``insert_many`` of as many seller documents into the same server (what
storing the rows costs with nothing else done).
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from pymongo import MongoClient

from bench.registration_api import REGISTRATION_APP, SELLERS, gunicorn, seller_body, stop, store_sellers

ROWS = 1_000
PORT = 28313
COLUMNS = ("name", "organisation", "district", "phone", "email", "gstin", "enterprise_kind", "product", "category", "gi_tag", "price_min", "price_max", "price_unit")
ORGANISER = {"Authorization": "Bearer dev-organiser-key"}


def seller_csv(first: int, rows: int) -> str:
    """``rows`` sellers as an organiser's spreadsheet has them; every 100th repeats a phone."""
    lines = [",".join(COLUMNS)]
    for n in range(first, first + rows):
        seller = seller_body(n - 1 if n % 100 == 99 else n)
        product = seller["products"][0]
        cells = {**seller, "name": f"Seller {n}", "product": product["name"], "category": product["category"], "gi_tag": product["gi_tag"],
                 "price_min": product["price_band"]["min"], "price_max": product["price_band"]["max"], "price_unit": product["price_band"]["unit"]}
        lines.append(",".join(str(cells[c]) for c in COLUMNS))
    return "\n".join(lines) + "\n"


def request(method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        connection.request(method, path, body, {**ORGANISER, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b"{}")
    finally:
        connection.close()


def run(env: dict[str, str], rows: int = ROWS, sellers: int = SELLERS) -> dict:
    tag = uuid.uuid4().hex[:6]
    database = f"bench{tag}_registration"
    client = MongoClient(env["MONGODB_URI"], tz_aware=True)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    started = []
    try:
        store_sellers(client[database], 0, sellers)
        text = seller_csv(sellers, rows).encode()
        documents = [{**seller_body(n), "_id": uuid.uuid4().hex} for n in range(sellers, sellers + rows)]
        began = time.perf_counter()
        client[f"bench{tag}_baseline"]["sellers"].insert_many(documents)
        baseline = time.perf_counter() - began

        app_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1", "BSM_TOPIC_PREFIX": f"bench{tag}.", "REGISTRATION_MONGODB_DATABASE": database}
        started.append(gunicorn("registration", REGISTRATION_APP, PORT, app_env, log_dir))
        began = time.perf_counter()
        status, headers, job = request("POST", "/v1/imports/sellers", text, {"Content-Type": "text/csv"})
        accepted = time.perf_counter() - began
        if status not in (200, 202):
            raise RuntimeError(f"the upload was refused: {status} {job}")
        while job.get("status", "done") == "running":
            time.sleep(0.1)
            status, _, job = request("GET", headers["Location"])
        imported = time.perf_counter() - began
        report = job.get("report", job)
        stored = client[database]["participants"].estimated_document_count()
    finally:
        stop(started)
        for name in (database, f"bench{tag}_baseline"):
            client.drop_database(name)
        client.close()
        shutil.rmtree(log_dir, ignore_errors=True)
    return {
        "benchmark": "import",
        "rows": rows,
        "sellers_stored_before": sellers,
        "participants_stored_after": stored,
        "answered_in_s": round(accepted, 3),
        "report_complete_in_s": round(imported, 2),
        "report_rows": len(report["rows"]),
        "report_counts": report["counts"],
        "baseline_insert_many_s": round(baseline, 3),
        "import_over_baseline": round(imported / baseline, 1),
        "target_s": 30,
    }
