"""``shared.outbox.update_one`` for many documents at once: three bulk writes per batch
instead of three writes per document.

Same protocol as ``shared.outbox.writing``: every document that gets outbox entries has
its pointer raised (``n`` and ``in_flight`` + 1) before the update and lowered after it,
so the relay finds the events without scanning and never drops a pointer while a write is
in flight. Each update is still a single-document write, so each document's state change
and its events land together. Belongs in ``shared/outbox.py`` (which this service may not
change); until then it relies on that module's pointer format.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.results import BulkWriteResult

from shared import outbox

Write = tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]


def update_by_id(db: Database, collection: str, writes: list[Write]) -> BulkWriteResult | None:
    """Apply each ``(query, update, entries)`` (``query`` names a document by ``_id``) in one
    bulk write, with the entries added to that document's outbox. Returns pymongo's result
    (None for no writes); raises what ``bulk_write`` raises, after lowering the pointers."""
    if not writes:
        return None
    keys = sorted({outbox.pointer_id(collection, query["_id"]): query["_id"] for query, _, entries in writes if entries}.items())
    if keys:
        db[outbox.POINTERS].bulk_write([_pointer(key, collection, document_id, +1) for key, document_id in keys], ordered=False)
    try:
        return db[collection].bulk_write([UpdateOne(query, outbox.with_outbox(update, entries)) for query, update, entries in writes], ordered=False)
    finally:
        if keys:
            db[outbox.POINTERS].bulk_write([_pointer(key, collection, document_id, -1) for key, document_id in keys], ordered=False)


def _pointer(key: str, collection: str, document_id: Any, step: int) -> UpdateOne:
    now = datetime.now(timezone.utc)
    if step > 0:
        return UpdateOne({"_id": key}, {"$inc": {"n": 1, "in_flight": 1}, "$set": {"collection": collection, "document_id": document_id, "at": now}}, upsert=True)
    return UpdateOne({"_id": key}, {"$inc": {"n": 1, "in_flight": -1}, "$set": {"at": now}})
