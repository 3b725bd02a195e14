"""Partial updates that keep every rule of the create: a PATCH body is loaded through the
whole schema with the record's current values under it.

Loading only the fields sent (``partial=True``) skips what spans fields (a district checked
against the state, canonical spellings made by ``post_load``) and the defaults those rules
read, so ``PATCH {"district": "Atlantis"}`` was stored where ``POST`` said 422. Merging
first means the merged record passes exactly the checks and normalisation a new one does.
"""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, fields


def input_form(schema: Schema, record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` (as the API shows it: a schema's dump) cut down to what ``schema`` loads,
    nested schemas included, so it can be loaded again (dump-only fields such as ids left
    out)."""
    form: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key in record:
            form[key] = _input_value(field, record[key])
    return form


def _input_value(field: fields.Field, value: Any) -> Any:
    if isinstance(field, fields.Nested) and value is not None:
        nested = field.schema
        return [input_form(nested, v) for v in value] if field.many else input_form(nested, value)
    if isinstance(field, fields.List) and isinstance(value, list):
        return [_input_value(field.inner, v) for v in value]
    return value


def merged_changes(schema: Schema, current: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """The loaded values of the fields in a PATCH ``body``, after loading the whole record
    (``current`` in input form, see ``input_form``, with ``body`` over it) through
    ``schema``, the schema that creates such records (not partial). Raises marshmallow's
    ValidationError naming each field that is wrong in the merged record."""
    loaded = schema.load({**input_form(schema, current), **body})
    return {key: loaded[key] for key in body if key in loaded}
