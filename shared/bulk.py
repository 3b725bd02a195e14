"""One pattern for every bulk endpoint: many items in one call, each done on its own.

A bulk body is ``{"items": [...]}`` with at most ``MAX_ITEMS`` items (more is a 413
problem naming ``items``, before anything is done). Each item is checked with the
endpoint's item schema and done by itself, wholly or not at all: an item that fails is
reported and the others go on. The answer is 200 with a per-item report::

    {"counts": {"done": n, "unchanged": n, "refused": n},
     "items": [{"index": 0, "status": "done", "id": "...", "event_ids": [...]},
               {"index": 1, "status": "refused", "id": null,
                "problem": {"status": 409, "title": "Conflict", "detail": "...", "errors": {...}}}]}

``event_ids`` are the ids of the events the item's write published (for asking a
downstream service whether it has seen them, see ``shared/freshness.py``). Failures the
service cannot foresee (the database away) are not caught: the whole request fails (503)
and, as every item is idempotent, a retry with the same ``Idempotency-Key`` or body redoes
only what is missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, Mapping

from marshmallow import Schema, ValidationError, fields

from shared.auth import ORGANISER
from shared.http import Problem
from shared.outbox import recording_events

MAX_ITEMS = 100  # ~4 single-document writes an item: 100 fit a 25 s request budget on FerretDB over SQLite
DONE, UNCHANGED, REFUSED = "done", "unchanged", "refused"
STATUSES = (DONE, UNCHANGED, REFUSED)


@dataclass(frozen=True)
class ItemResult:
    """What an item's action returns: the id of the record it wrote or found, and whether
    it changed anything (False: the item was already so, e.g. a retry)."""

    id: str
    changed: bool = True


ItemFailure = Callable[[Exception], tuple[int, dict[str, Any]]]


def items_of(body: Any, limit: int = MAX_ITEMS) -> list[Any]:
    """The raw items of a bulk body. Raises Problem 422 (not ``{"items": [...]}``, or
    empty), 413 (more than ``limit`` items)."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise Problem(422, "Invalid request", "Send {\"items\": [...]} with at least one item.", errors={"items": ["A non-empty list is required."]})
    if len(items) > limit:
        raise Problem(413, "Payload Too Large", f"At most {limit} items per call; split the list.",
                      errors={"items": [f"At most {limit} items."]}, max_items=limit)
    return items


def run_items(items: list[Any], schema: Schema, act: Callable[[dict[str, Any]], ItemResult], failures: Mapping[type, ItemFailure]) -> dict[str, Any]:
    """Load each raw item with ``schema`` and do it with ``act``; the per-item report.

    ``failures`` maps the exception classes an item may fail with (domain errors) to a
    function giving ``(HTTP status, extra problem members)`` for one; anything else is
    raised. Raises what ``act`` raises outside ``failures``."""
    reported = []
    caught = tuple(failures)
    for index, raw in enumerate(items):
        row: dict[str, Any] = {"index": index, "status": REFUSED, "id": None}
        try:
            if not isinstance(raw, dict):
                raise ValidationError({"_schema": ["An item is a JSON object."]})
            item = schema.load(raw)
            with recording_events() as written:
                result = act(item)
            row.update(status=DONE if result.changed else UNCHANGED, id=result.id, event_ids=list(written))
        except ValidationError as exc:
            row["problem"] = problem(422, "The item is invalid.", errors=_storable_keys(exc.messages))
        except caught as exc:
            status, extra = _failure(failures, exc)
            row["problem"] = problem(status, str(exc), **extra)
        reported.append(row)
    return report(reported)


def _storable_keys(messages: Any) -> Any:
    """Field errors whose keys any store takes (the report may be kept for an
    Idempotency-Key): a client's unknown field ``"a.b"`` or ``"$x"`` is named ``a_b``, ``x``."""
    if isinstance(messages, dict):
        return {(str(k).replace("\x00", "").replace(".", "_").lstrip("$")[:100] or "_"): _storable_keys(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [_storable_keys(m) for m in messages]
    return messages


def _failure(failures: Mapping[type, ItemFailure], exc: Exception) -> tuple[int, dict[str, Any]]:
    for kind in type(exc).__mro__:
        if kind in failures:
            return failures[kind](exc)
    raise exc


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem+json body for one item."""
    return {"status": status, "title": HTTPStatus(status).phrase, "detail": detail, **extra}


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"counts": {status: sum(1 for r in rows if r["status"] == status) for status in STATUSES}, "items": rows}


class ItemProblemOut(Schema):
    status = fields.Int()
    title = fields.Str()
    detail = fields.Str()
    errors = fields.Dict()


class ItemReportOut(Schema):
    index = fields.Int(metadata={"description": "The item's position in the request"})
    status = fields.Str(metadata={"enum": list(STATUSES)})
    id = fields.Str(allow_none=True, metadata={"description": "The record written or found"})
    event_ids = fields.List(fields.Str(), metadata={"description": "Events this item published (ask GET /v1/freshness/events downstream)"})
    problem = fields.Nested(ItemProblemOut, metadata={"description": "Why the item was refused"})


class BulkReportOut(Schema):
    """The answer of every bulk endpoint."""

    counts = fields.Dict(keys=fields.Str(), values=fields.Int())
    items = fields.List(fields.Nested(ItemReportOut))


def bulk_body(item: type[Schema], name: str) -> type[Schema]:
    """The documented body ``{"items": [item, ...]}`` (at most ``MAX_ITEMS``) of a bulk endpoint."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item), required=True, metadata={"maxItems": MAX_ITEMS, "minItems": 1})}, name=name,
    )


def documented_bulk(summary: str, body: type[Schema], tags: tuple[str, ...] = ("bulk",)):
    """The OpenAPI entry every bulk endpoint shares: ``body``, the per-item report, organisers
    only, an Idempotency-Key, 400/404."""
    from shared.openapi import documented

    return documented(f"{summary}; up to {MAX_ITEMS} items, a report per item", tags=tags, body=body, response=BulkReportOut,
                      roles=(ORGANISER,), errors=(400, 404), headers=("Idempotency-Key",))
