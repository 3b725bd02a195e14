"""Many sellers at once: an organiser's or aggregator's CSV, or field staff's offline batch.

Each row is registered on its own, wholly or not at all, and the report says which rows
were created, which were already registered (recognised by phone or GSTIN, so uploading
the same batch twice or overlapping batches never makes duplicates) and why a row was
refused.
"""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any

from marshmallow import ValidationError

from shared.auth import Principal

from services.registration.actions import Registration
from services.registration.actions import participants as participant_actions
from services.registration.domain.errors import Conflict, DomainError
from services.registration.domain.identifiers import normalise_gstin, normalise_phone
from services.registration.schemas import SellerIn

MAX_ROWS = 5000
CSV_COLUMNS = (
    "name", "organisation", "state", "district", "enterprise_kind", "phone", "email", "preferred_language",
    "gstin", "udyam", "iec", "product", "category", "odop_product", "gi_tag", "monthly_capacity", "capacity_unit",
    "price_min", "price_max", "price_unit", "export_ready",
)
REQUIRED_COLUMNS = ("name", "district", "phone")


class BadFile(ValueError):
    """The upload as a whole cannot be read; nothing was imported."""


@dataclass
class RowOutcome:
    row: int
    status: str  # created | existing | refused
    participant_id: str | None = None
    errors: dict[str, Any] = field(default_factory=dict)


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a seller CSV as SellerIn-shaped dicts (empty cells left out)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    unknown = sorted(set(columns) - set(CSV_COLUMNS))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if unknown or missing:
        raise BadFile(f"Columns: unknown {unknown or 'none'}, missing {missing or 'none'}. Allowed: {', '.join(CSV_COLUMNS)}.")
    rows = []
    for raw in reader:
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        rows.append(_seller_from_cells({k: v for k, v in cells.items() if v}))
        if len(rows) > MAX_ROWS:
            raise BadFile(f"At most {MAX_ROWS} rows per upload.")
    return rows


def _seller_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    seller = {k: cells[k] for k in CSV_COLUMNS[:11] if k in cells}
    if "product" in cells:
        product: dict[str, Any] = {"name": cells["product"], "category": cells.get("category", "other")}
        for key in ("odop_product", "gi_tag"):
            if key in cells:
                product[key] = cells[key]
        if "monthly_capacity" in cells:
            product["monthly_capacity"] = {"value": cells["monthly_capacity"], "unit": cells.get("capacity_unit", "unit")}
        if "price_min" in cells or "price_max" in cells:
            product["price_band"] = {"min": cells.get("price_min", "0"), "max": cells.get("price_max", cells.get("price_min", "0")), "unit": cells.get("price_unit", "unit")}
        if "export_ready" in cells:
            product["export_ready"] = cells["export_ready"].lower() in ("yes", "y", "true", "1")
        seller["products"] = [product]
    return seller


def import_sellers(ctx: Registration, rows: list[dict[str, Any]], by: Principal) -> list[RowOutcome]:
    outcomes = []
    for number, row in enumerate(rows, start=1):
        outcomes.append(_import_row(ctx, number, row, by))
    return outcomes


def _import_row(ctx: Registration, number: int, row: dict[str, Any], by: Principal) -> RowOutcome:
    existing = ctx.participants.find_by_identity(_identity_keys(row))
    if existing is not None:
        return RowOutcome(number, "existing", existing.id)
    try:
        details = SellerIn().load(row)
        participant = participant_actions.register(ctx, "seller", details, by)
    except ValidationError as exc:
        return RowOutcome(number, "refused", errors=_storable(exc.messages))
    except DomainError as exc:
        return RowOutcome(number, "refused", errors={exc.field or "_schema": [str(exc)]})
    except Conflict as exc:
        return RowOutcome(number, "existing", exc.existing_id)
    return RowOutcome(number, "created", participant.id)


def _identity_keys(row: dict[str, Any]) -> list[str]:
    keys = []
    for name, normalise in (("phone", normalise_phone), ("gstin", normalise_gstin)):
        try:
            if row.get(name):
                keys.append(f"{name}:{normalise(str(row[name]))}")
        except ValueError:
            pass
    return keys


def _storable(messages: Any) -> Any:
    """Field errors with keys any store and client can take: strings, no NUL, dot or leading $."""
    if isinstance(messages, dict):
        return {_safe_key(k): _storable(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [_storable(m) for m in messages]
    return messages


def _safe_key(key: Any) -> str:
    text = str(key).replace("\x00", "").replace(".", "_").lstrip("$")
    return text[:100] or "_"


def report(outcomes: list[RowOutcome]) -> dict[str, Any]:
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("created", "existing", "refused")}
    return {"counts": counts, "rows": [asdict(o) for o in outcomes]}
