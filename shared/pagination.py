"""Cursor pagination over a Mongo query, sorted by one field with ``_id`` as tie-breaker.

The cursor is opaque to clients (URL-safe base64 of the last item's sort value and id), so
pages stay stable while documents are added, and no page is ever computed with ``skip``.

Missing and null values sort together before every other value (MongoDB's order, which
FerretDB follows), but a range such as ``{$gt: null}`` or ``{$lt: "x"}`` only matches values
of the bound's own type. So what comes after a cursor is spelt per phase: the rest of the
cursor's own phase (nulls, or values of the field's type), then the whole other phase if it
comes later in this direction (``$ne: null`` ascending, ``null`` descending). A sortable
field holds values of one type, or none.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
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


def list_scope(*parts: Any) -> str:
    """A short digest naming one list: what it reads, its filters and its order. A cursor
    carries the scope of the list that gave it out, so it is refused by any other."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()[:12]


def encode_cursor(value: Any, item_id: Any, scope: str | None = None) -> str:
    """The cursor after the item (``value`` of the sort field, ``item_id``) of the list
    ``scope`` (``list_scope``)."""
    tagged = {"t": value.isoformat(), "k": "dt"} if isinstance(value, datetime) else {"t": value, "k": "v"}
    if scope:
        tagged["s"] = scope
    raw = json.dumps([tagged, item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str | None = None) -> tuple[Any, Any]:
    """``(value, item_id)`` of a cursor given out by the list ``scope``; BadCursor for one
    that is not a cursor, or that another list (other filters, another order) gave out.
    A cursor without a scope (given out before cursors carried one) is taken."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tagged, item_id = json.loads(raw)
        value = datetime.fromisoformat(tagged["t"]) if tagged["k"] == "dt" else tagged["t"]
        given_by = tagged.get("s")
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadCursor("The cursor is not one this API gave out.") from exc
    if scope and given_by and given_by != scope:
        raise BadCursor("The cursor belongs to another list, or to this list with other filters or another order: start again without it.")
    return value, item_id


def after_cursor(field: str, descending: bool, value: Any, last_id: Any) -> dict[str, Any]:
    """The Mongo filter for what follows the item (``value`` of ``field``, ``last_id``) in
    the order ``field`` then ``_id``, both ascending or both ``descending``; ``value`` None
    stands for null or missing."""
    op = "$lt" if descending else "$gt"
    if field == "_id":
        return {"_id": {op: last_id}}
    ties = {field: value, "_id": {op: last_id}}
    if value is None:
        return ties if descending else {"$or": [ties, {field: {"$ne": None}}]}
    later = [{field: {op: value}}, ties]
    return {"$or": [*later, {field: None}] if descending else later}


def page(
    collection: Collection,
    query: dict[str, Any],
    sort: str = "_id",
    limit: int = 50,
    cursor: str | None = None,
    projection: dict[str, Any] | None = None,
) -> Page:
    """One page of ``query``; ``sort`` is a field name, ``-field`` for descending. Items
    without the field (or with null) come first ascending and last descending. BadCursor
    for a cursor another list gave out (``decode_cursor``)."""
    field, direction = (sort[1:], DESCENDING) if sort.startswith("-") else (sort, ASCENDING)
    limit = max(1, min(limit, MAX_LIMIT))
    scope = list_scope(collection.full_name, sort, query)
    query = dict(query)
    if cursor:
        value, last_id = decode_cursor(cursor, scope)
        after = after_cursor(field, direction == DESCENDING, value, last_id)
        query = {"$and": [query, after]} if query else after
    order = [(field, direction)] + ([("_id", direction)] if field != "_id" else [])
    docs = list(collection.find(query, projection).sort(order).limit(limit + 1))
    more = len(docs) > limit
    docs = docs[:limit]
    next_cursor = encode_cursor(docs[-1].get(field), docs[-1]["_id"], scope) if more and docs else None
    return Page(docs, next_cursor)
