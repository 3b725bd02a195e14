"""Bulk registration: ``/v1/imports/sellers`` (CSV) and ``/v1/field-batches`` (offline collection)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, request

from shared.auth import ORGANISER, PARTICIPANT, STAFF
from shared.http import Problem, json_body, require
from shared.openapi import documented

from services.registration.actions import imports
from services.registration.actions import participants as participant_actions
from services.registration.api.context import registration
from services.registration.schemas import CsvUpload, FieldBatchIn, ImportReport

bp = Blueprint("imports", __name__)
TAGS = ("bulk registration",)
BATCHES = "field_batches"


def _importer():
    """Organisers, or an aggregator registering the producers they work with."""
    caller = require(ORGANISER, PARTICIPANT)
    if caller.role == PARTICIPANT and participant_actions.get(registration(), caller.subject).enterprise_kind != "aggregator":
        raise Problem(403, "Forbidden", "Only organisers and aggregators register sellers in bulk.")
    return caller


@bp.post("/v1/imports/sellers")
@documented(
    "Register many sellers from a CSV (columns: " + ", ".join(imports.CSV_COLUMNS) + ")",
    tags=TAGS, body=CsvUpload, response=ImportReport, roles=(ORGANISER, "aggregator"), errors=(400, 415), content_types=("text/csv",),
)
def import_csv():
    caller = _importer()
    if request.mimetype != "text/csv":
        raise Problem(415, "Unsupported Media Type", "Send the file as text/csv.")
    try:
        rows = imports.parse_csv(request.get_data(as_text=True))
    except (imports.BadFile, UnicodeDecodeError) as exc:
        raise Problem(400, "Bad Request", f"The file cannot be imported: {exc}", errors={"file": [str(exc)]}) from None
    return imports.report(imports.import_sellers(registration(), rows, caller))


@bp.post("/v1/field-batches")
@documented("Upload registrations collected offline (safe to upload again)", tags=TAGS, body=FieldBatchIn, response=ImportReport, roles=(ORGANISER,), errors=(400,))
def upload_batch():
    caller = require(ORGANISER)
    batch = FieldBatchIn().load(json_body())
    result = imports.report(imports.import_sellers(registration(), batch["rows"], caller))
    registration().participants.db[BATCHES].update_one(
        {"_id": batch["batch_id"]},
        {"$set": {"collected_by": batch["collected_by"], "collected_at": batch["collected_at"], "uploaded_at": datetime.now(timezone.utc), **result}, "$inc": {"uploads": 1}},
        upsert=True,
    )
    return {"batch_id": batch["batch_id"], **result}


@bp.get("/v1/field-batches/<batch_id>")
@documented("The report of the last upload of a field batch", tags=TAGS, response=ImportReport, roles=STAFF)
def get_batch(batch_id: str):
    require(*STAFF)
    found = registration().participants.db[BATCHES].find_one({"_id": batch_id})
    if found is None:
        raise Problem(404, "Not Found", f"No field batch {batch_id}.")
    found["batch_id"] = found.pop("_id")
    return found
