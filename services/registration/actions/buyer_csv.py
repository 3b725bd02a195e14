"""The buyers' CSV: its columns and how a row becomes a ``BuyerIn``-shaped dict.

Imported by the same pipeline and jobs as the sellers' CSV (``imports.py``,
``import_jobs.py``); only the columns and the row's shape differ. List cells
(``categories``, ``products``, ``gi_tags``, ``destination_markets``,
``required_certifications``) hold values separated by ``;``.
"""
from __future__ import annotations

from typing import Any

SOURCING_LISTS = ("categories", "products", "gi_tags", "destination_markets", "required_certifications")
BUYER_CSV_COLUMNS = (
    "name", "organisation", "buyer_kind", "country", "international", "state", "district", "phone", "email",
    "preferred_language", "gstin", "iec", *SOURCING_LISTS,
)
BUYER_REQUIRED_COLUMNS = ("name", "organisation", "buyer_kind")
YES = ("yes", "y", "true", "1")


def buyer_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    """A buyer row's non-empty cells as a BuyerIn-shaped dict (validated by the pipeline)."""
    buyer: dict[str, Any] = {k: cells[k] for k in BUYER_CSV_COLUMNS[:12] if k in cells}
    if "international" in buyer:
        buyer["international"] = buyer["international"].lower() in YES
    sourcing = {k: [v.strip() for v in cells[k].split(";") if v.strip()] for k in SOURCING_LISTS if k in cells}
    if sourcing:
        buyer["sourcing"] = sourcing
    return buyer
