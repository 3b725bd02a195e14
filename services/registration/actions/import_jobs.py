"""Imports as jobs: stored first, worked a chunk of rows at a time, resumable.

A job is created with its source and a lease held by the process that will run it. Each
chunk's outcomes are recorded before progress moves on and the lease is renewed; if the
process dies, the lease runs out and the next look at the job (``resume_if_stalled``)
takes it over and goes on from the first chunk not counted. Rows already registered by
the dead run are recognised by their derived participant ids, so nothing is duplicated.
Small uploads are run by the request itself; large ones in a background thread (the API
decides), and the job resource shows progress and, at the end, the per-row report.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from shared.auth import Principal
from shared.correlation import correlated, correlation_id, new_id

from services.registration.actions import Registration
from services.registration.actions.imports import CHUNK_ROWS, count, import_rows, parse_csv, report
from services.registration.domain import reference
from services.registration.domain.errors import NotFound
from services.registration.import_store import DONE, FAILED, RUNNING

log = logging.getLogger(__name__)

CSV, BUYER_CSV, FIELD_BATCH = "csv", "buyer_csv", "field_batch"
ROLE_OF = {CSV: "seller", BUYER_CSV: "buyer", FIELD_BATCH: "seller"}
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5


def start(ctx: Registration, kind: str, source: str, rows: int, by: Principal, holder: str, batch: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store a job of ``rows`` rows (``source``: the CSV text, or the field batch's rows as
    JSON) with its lease held by ``holder``; the caller then runs it with ``run``."""
    now = datetime.now(timezone.utc)
    job = {
        "_id": new_id(), "kind": kind, "status": RUNNING, "by": {"subject": by.subject, "role": by.role},
        "rows_total": rows, "rows_done": 0, "chunks": -(-rows // CHUNK_ROWS), "chunks_done": 0,
        "counts": {}, "holder": holder, "lease_until": now + LEASE, "attempts": 1,
        "correlation_id": correlation_id(), "created_at": now, "updated_at": now, "finished_at": None,
    }
    if batch is not None:
        job["batch"] = batch
    ctx.imports.create(job, source)
    return job


def run(ctx: Registration, job_id: str, holder: str) -> None:
    """Work the job's remaining chunks while ``holder`` keeps its lease; finish it.

    Never raises: a failed run lets go of the lease (the job is resumed later) or, after
    ``MAX_ATTEMPTS`` runs, marks the job failed with a problem saying why.
    """
    job = ctx.imports.get(job_id)
    try:
        with correlated(job.get("correlation_id")):
            reference.use(ctx.reference.load())
            rows = list(enumerate(_rows(job["kind"], ctx.imports.source(job_id)), start=1))
            for chunk in range(job["chunks_done"], job["chunks"]):
                numbered = rows[chunk * CHUNK_ROWS:(chunk + 1) * CHUNK_ROWS]
                outcomes = [o.as_dict() for o in import_rows(ctx, job_id, numbered, job["by"]["subject"], ROLE_OF[job["kind"]])]
                outcomes = ctx.imports.record_chunk(job_id, chunk, outcomes)
                if not ctx.imports.advance(job_id, chunk, numbered[-1][0], count(outcomes), holder, LEASE):
                    return
            _finish(ctx, job)
    except Exception as exc:  # a background run has nobody else to tell
        log.exception("import interrupted", extra={"job_id": job_id})
        problem = {"type": "about:blank", "title": "Import interrupted", "status": 503, "detail": f"{type(exc).__name__}: {exc}"[:500]}
        if job.get("attempts", 1) >= MAX_ATTEMPTS:
            ctx.imports.finish(job_id, FAILED, problem)
        else:
            ctx.imports.let_go(job_id, holder, problem)


def _finish(ctx: Registration, job: dict[str, Any]) -> None:
    if job["kind"] == FIELD_BATCH:
        batch = job["batch"]
        result = report(ctx.imports.results(job["_id"], job["chunks"]))
        ctx.imports.record_batch(batch["batch_id"], job["_id"], {"collected_by": batch["collected_by"], "collected_at": batch["collected_at"], **result})
    ctx.imports.finish(job["_id"])


def resume_if_stalled(ctx: Registration, job: dict[str, Any], holder: str) -> bool:
    """Take over a running job whose lease ran out; True if ``holder`` should now ``run`` it."""
    if job["status"] != RUNNING or job["lease_until"] > datetime.now(timezone.utc):
        return False
    return ctx.imports.take_over(job["_id"], holder, LEASE)


def get(ctx: Registration, job_id: str) -> dict[str, Any]:
    job = ctx.imports.get(job_id)
    if job is None:
        raise NotFound(f"No import {job_id}.")
    return job


def view(ctx: Registration, job: dict[str, Any]) -> dict[str, Any]:
    """The job as clients see it: progress, counts so far and, once done, the report."""
    shown = {
        "id": job["_id"], "kind": job["kind"], "status": job["status"], "rows_total": job["rows_total"],
        "rows_done": job["rows_done"], "counts": job["counts"], "created_at": job["created_at"],
        "updated_at": job["updated_at"], "finished_at": job["finished_at"],
    }
    if job.get("batch"):
        shown["batch_id"] = job["batch"]["batch_id"]
    if job.get("error"):
        shown["error"] = job["error"]
    if job["status"] == DONE:
        shown["report"] = report(ctx.imports.results(job["_id"], job["chunks"]))
    return shown


def _rows(kind: str, source: str) -> list[dict[str, Any]]:
    return json.loads(source) if kind == FIELD_BATCH else parse_csv(source, ROLE_OF[kind])
