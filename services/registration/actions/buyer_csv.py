"""The buyers' CSV: its columns and how a row becomes a ``BuyerIn``-shaped dict.

Imported by the same pipeline and jobs as the sellers' CSV (``imports.py``,
``import_jobs.py``); only the columns and the row's shape differ. List cells
(``categories``, ``products``, ``gi_tags``, ``destination_markets``,
``required_certifications``) hold values separated by ``;``.
"""
from __future__ import annotations

from typing import Any

from services.registration.domain import vocabularies

SOURCING_LISTS = ("categories", "products", "gi_tags", "destination_markets", "required_certifications")
BUYER_CSV_COLUMNS = (
    "name", "organisation", "buyer_kind", "country", "international", "state", "district", "phone", "email",
    "preferred_language", "gstin", "iec", "languages", "share_contact", *SOURCING_LISTS,
)
PARTICIPANT_CELLS = BUYER_CSV_COLUMNS[:14]
BUYER_REQUIRED_COLUMNS = ("name", "organisation", "buyer_kind")


def buyer_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    """A buyer row's non-empty cells as a BuyerIn-shaped dict (validated by the pipeline).
    Without a ``preferred_language``, the first language of ``languages`` the platform writes in is preferred."""
    buyer: dict[str, Any] = {k: cells[k] for k in PARTICIPANT_CELLS if k in cells}
    for flag in ("international", "share_contact"):
        if flag in buyer:
            buyer[flag] = vocabularies.yes_no(buyer[flag])
    if "languages" in cells and "preferred_language" not in cells:
        buyer["preferred_language"] = vocabularies.preferred_of(cells["languages"])
    sourcing = {k: [v.strip() for v in cells[k].split(";") if v.strip()] for k in SOURCING_LISTS if k in cells}
    if sourcing:
        buyer["sourcing"] = sourcing
    return buyer
