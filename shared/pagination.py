"""Cursor pagination over a Mongo query, sorted by one field with ``_id`` as tie-breaker.

The cursor is opaque to clients (URL-safe base64 of the last item's sort value and id), so
pages stay stable while documents are added, and no page is ever computed with ``skip``.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

MAX_LIMIT = 200


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def sort_choices(sortable: tuple[str, ...]) -> list[str]:
    """What ``?sort=`` may say for a list sortable by ``sortable``: each field, ascending
    or prefixed with ``-`` (descending); query schemas validate it with these choices so
    the OpenAPI document lists them."""
    return [*sortable, *(f"-{name}" for name in sortable)]


def encode_cursor(value: Any, item_id: Any) -> str:
    tagged = {"t": value.isoformat(), "k": "dt"} if isinstance(value, datetime) else {"t": value, "k": "v"}
    raw = json.dumps([tagged, item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tagged, item_id = json.loads(raw)
        value = datetime.fromisoformat(tagged["t"]) if tagged["k"] == "dt" else tagged["t"]
        return value, item_id
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise BadCursor("The cursor is not one this API gave out.") from exc


def page(
    collection: Collection,
    query: dict[str, Any],
    sort: str = "_id",
    limit: int = 50,
    cursor: str | None = None,
    projection: dict[str, Any] | None = None,
) -> Page:
    """One page of ``query``; ``sort`` is a field name, ``-field`` for descending."""
    field, direction = (sort[1:], DESCENDING) if sort.startswith("-") else (sort, ASCENDING)
    limit = max(1, min(limit, MAX_LIMIT))
    query = dict(query)
    if cursor:
        value, last_id = decode_cursor(cursor)
        op = "$gt" if direction == ASCENDING else "$lt"
        after = [{field: {op: value}}, {field: value, "_id": {op: last_id}}] if field != "_id" else [{"_id": {op: last_id}}]
        query = {"$and": [query, {"$or": after}]} if query else {"$or": after}
    order = [(field, direction)] + ([("_id", direction)] if field != "_id" else [])
    docs = list(collection.find(query, projection).sort(order).limit(limit + 1))
    more = len(docs) > limit
    docs = docs[:limit]
    next_cursor = encode_cursor(docs[-1].get(field), docs[-1]["_id"]) if more and docs else None
    return Page(docs, next_cursor)
