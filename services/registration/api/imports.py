"""Bulk registration: ``/v1/imports/sellers`` (CSV), ``/v1/field-batches`` (offline
collection) and ``/v1/imports/<id>`` (the job either upload became).

An upload of up to ``INLINE_ROWS`` rows is imported while the request waits: 200 with the
per-row report, as always. A larger one answers 202 at once with the job resource
(``Location: /v1/imports/<id>``), imported in the background; reading the job shows its
progress and, when done, the report. A job whose process died is taken up again by the
next read of it, and goes on from where it stopped.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from typing import Callable

from flask import Blueprint, request

from shared.auth import ORGANISER, PARTICIPANT, STAFF
from shared.correlation import new_id
from shared.csv_input import UnreadableCsv, decode_upload
from shared.http import Problem, idempotent, json_body, principal, require
from shared.openapi import documented

from services.registration.actions import import_jobs as jobs
from services.registration.actions import imports
from services.registration.actions import participants as participant_actions
from services.registration.actions.buyer_csv import BUYER_CSV_COLUMNS
from services.registration.api.context import registration
from services.registration.import_store import DONE
from services.registration.schemas import CsvUpload, FieldBatchIn, FieldBatchOut, ImportJobOut, ImportReport

bp = Blueprint("imports", __name__)
TAGS = ("bulk registration",)
INLINE_ROWS = 100


def _importer():
    """Organisers, or an aggregator registering the producers they work with."""
    caller = require(ORGANISER, PARTICIPANT)
    if caller.role == PARTICIPANT and participant_actions.get(registration(), caller.subject).enterprise_kind != "aggregator":
        raise Problem(403, "Forbidden", "Only organisers and aggregators register sellers in bulk.")
    return caller


@bp.post("/v1/imports/sellers")
@documented(
    f"Register many sellers from a CSV (columns: {', '.join(imports.CSV_COLUMNS)}); up to {INLINE_ROWS} rows: 200 with the report, more: 202 with the import job",
    tags=TAGS, body=CsvUpload, response=ImportReport, also=((202, ImportJobOut),), roles=(ORGANISER, "aggregator"), errors=(400, 415), content_types=("text/csv",),
    headers=("Idempotency-Key",),
)
@idempotent
def import_csv():
    caller = _importer()
    text, rows = uploaded_csv(imports.parse_csv)
    return _import(jobs.CSV, text, len(rows), caller)


@bp.post("/v1/imports/buyers")
@documented(
    f"Register many buyers from a CSV (columns: {', '.join(BUYER_CSV_COLUMNS)}; lists separated by ;); "
    f"up to {INLINE_ROWS} rows: 200 with the report, more: 202 with the import job",
    tags=TAGS, body=CsvUpload, response=ImportReport, also=((202, ImportJobOut),), roles=(ORGANISER,), errors=(400, 415), content_types=("text/csv",),
    headers=("Idempotency-Key",),
)
@idempotent
def import_buyers_csv():
    caller = require(ORGANISER)
    text, rows = uploaded_csv(lambda text: imports.parse_csv(text, jobs.ROLE_OF[jobs.BUYER_CSV]))
    return _import(jobs.BUYER_CSV, text, len(rows), caller)


def uploaded_csv(parse: Callable[[str], list]) -> tuple[str, list]:
    """The request's CSV file as ``(text, parse(text))``: 415 unless it is ``text/csv``; its
    bytes decoded by ``shared.csv_input.decode_upload`` (the Content-Type's charset, else
    a byte order mark, UTF-8 or the detected encoding); 400 problem+json naming the field
    ``file``, the encoding it was read with and, from ``parse`` (which raises ValueError),
    the delimiter, when it cannot be read or imported."""
    if request.mimetype != "text/csv":
        raise Problem(415, "Unsupported Media Type", "Send the file as text/csv.")
    try:
        decoded = decode_upload(request.get_data(), request.mimetype_params.get("charset"))
    except UnreadableCsv as exc:
        raise Problem(400, "Bad Request", f"The file cannot be read: {exc}", errors={"file": [str(exc)]}) from None
    try:
        return decoded.text, parse(decoded.text)
    except ValueError as exc:
        message = f"{exc} (The file was {decoded.describe()}.)"
        raise Problem(400, "Bad Request", f"The file cannot be imported: {message}", errors={"file": [message]}) from None


@bp.post("/v1/field-batches")
@documented(
    f"Upload registrations collected offline (safe to upload again); up to {INLINE_ROWS} rows: 200 with the report, more: 202 with the import job",
    tags=TAGS, body=FieldBatchIn, response=ImportReport, also=((202, ImportJobOut),), roles=(ORGANISER,), errors=(400,),
)
@idempotent
def upload_batch():
    caller = require(ORGANISER)
    batch = FieldBatchIn().load(json_body())
    meta = {k: batch[k] for k in ("batch_id", "collected_by", "collected_at")}
    return _import(jobs.FIELD_BATCH, json.dumps(batch["rows"]), len(batch["rows"]), caller, meta)


@bp.get("/v1/imports/<hexid:job_id>")
@documented("An import job: progress, and the per-row report once done", tags=TAGS, response=ImportJobOut, roles=(ORGANISER, "aggregator"))
def get_import(job_id: str):
    caller = principal()
    ctx = registration()
    job = jobs.get(ctx, job_id)
    if not caller.is_staff and job["by"]["subject"] != caller.subject:
        raise Problem(404, "Not Found", f"No import {job_id}.")
    holder = _holder()
    if jobs.resume_if_stalled(ctx, job, holder):
        _in_background(job_id, holder)
        job = jobs.get(ctx, job_id)
    return jobs.view(ctx, job)


@bp.get("/v1/field-batches/<batch_id>")
@documented("The report of the last upload of a field batch", tags=TAGS, response=FieldBatchOut, roles=STAFF)
def get_batch(batch_id: str):
    require(*STAFF)
    found = registration().imports.batch(batch_id)
    if found is None:
        raise Problem(404, "Not Found", f"No field batch {batch_id}.")
    found["batch_id"] = found.pop("_id")
    return found


def _import(kind: str, source: str, rows: int, caller, batch: dict | None = None):
    ctx = registration()
    holder = _holder()
    job = jobs.start(ctx, kind, source, rows, caller, holder, batch)
    location = {"Location": f"/v1/imports/{job['_id']}"}
    if rows > INLINE_ROWS:
        _in_background(job["_id"], holder)
        return jobs.view(ctx, job), 202, location
    jobs.run(ctx, job["_id"], holder)
    job = jobs.get(ctx, job["_id"])
    if job["status"] != DONE:
        raise Problem(503, "Service Unavailable", "The import was interrupted; read the import to resume it.", import_id=job["_id"], error=job.get("error"))
    result = jobs.view(ctx, job)["report"]
    return ({"batch_id": batch["batch_id"], **result} if batch else result), 200, location


def _in_background(job_id: str, holder: str) -> None:
    ctx = registration()
    threading.Thread(target=jobs.run, args=(ctx, job_id, holder), name=f"import-{job_id}", daemon=True).start()


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[:8]}"
