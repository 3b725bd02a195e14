"""marshmallow fields for JSON bodies that take exactly the JSON type their document names.

marshmallow's ``Boolean`` also takes ``0``, ``1``, ``"yes"``, ``"on"``...; its ``Integer``
takes ``"5"`` and silently cuts ``10.9`` to ``10``; its ``Float`` takes ``"2.5"``. That is
right for a query string, where everything is text, but a JSON body holding
``"international": 0`` or ``"tables": 10.9`` breaks its documented type and would be
stored as something the client did not send. Request bodies use these fields instead
(``tests/unit/shared/test_json_body_types.py`` checks every documented body).
"""
from __future__ import annotations

import math

from marshmallow import fields


class JsonBool(fields.Boolean):
    """``true`` or ``false`` only (documented as ``boolean``); anything else is a field error."""

    default_error_messages = {"invalid": "Give true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class JsonInt(fields.Integer):
    """A JSON number with no fractional part (documented as ``integer``; ``5.0`` is ``5``, as
    JSON Schema counts it); text, booleans and ``10.9`` are field errors, never cut."""

    default_error_messages = {"invalid": "Give a whole number such as 12 (not text, not a fraction)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise self.make_error("invalid")
        return super()._deserialize(int(value), attr, data, **kwargs)


class JsonNumber(fields.Float):
    """A JSON number (documented as ``number``); text, booleans, NaN and infinities are field
    errors."""

    default_error_messages = {"invalid": "Give a number (not text)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
