"""The one way the platform writes CSV: every cell a spreadsheet would evaluate is defused.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheet applications as a formula (``=HYPERLINK(...)`` in a buyer's organisation
becomes a live link in the organiser's report). Following OWASP's CSV injection guidance,
such a cell is written with a single quote in front and every cell is quoted, so it shows
as the text that was entered. Cells that are plain numbers (``-12.50``) are left as they
are. Every CSV response goes through ``csv_response`` (a test refuses ``csv.writer`` and
``text/csv`` responses anywhere else).

defusedcsv was considered: it leaves tab and carriage return out of the trigger characters
and rewrites ``|`` inside cells, so it is not used.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

from flask import Response

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def defuse_cell(value: Any) -> str:
    """``value`` as a CSV cell's text (None as empty), with ``'`` in front when a spreadsheet
    would take it for a formula, e.g. ``"=1+1"`` -> ``"'=1+1"``, ``"-3"`` -> ``"-3"``."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as CSV text (RFC 4180, CRLF line ends), every cell defused and quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerows([defuse_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A ``text/csv`` download of ``rows`` (see ``csv_text``) named ``filename``."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(csv_text(rows), mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={safe_name}"})
