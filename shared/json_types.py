"""marshmallow fields for JSON bodies that take exactly the JSON type their document names.

marshmallow's ``Boolean`` also takes ``0``, ``1``, ``"yes"``, ``"on"``...: right for a query
string, where everything is text, but a JSON body holding ``"international": 0`` breaks its
documented ``boolean`` and would be stored as ``False`` unnoticed.
"""
from __future__ import annotations

from marshmallow import fields


class JsonBool(fields.Boolean):
    """``true`` or ``false`` only (documented as ``boolean``); anything else is a field error."""

    default_error_messages = {"invalid": "Give true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
