"""Many sellers at once: an organiser's or aggregator's CSV, or field staff's offline batch.

Each row is registered on its own, wholly or not at all, and the report says which rows
were created, which were already registered (recognised by phone or GSTIN, and a row
with neither by its email address, so uploading the same batch twice or overlapping
batches never makes duplicates) and why a row was refused.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from marshmallow import ValidationError

from shared.csv_input import DELIMITERS, UnreadableCsv, read_table

from services.registration.actions import Registration
from services.registration.actions import participants as participant_actions
from services.registration.actions.buyer_csv import BUYER_CSV_COLUMNS, BUYER_REQUIRED_COLUMNS, buyer_from_cells
from services.registration.domain import vocabularies
from services.registration.domain.errors import Conflict, DomainError
from services.registration.domain.identifiers import normalise_gstin, normalise_phone, phone_region
from services.registration.domain.participants import import_identity_keys
from services.registration.schemas import BuyerIn, SellerIn

MAX_ROWS = 5000
CHUNK_ROWS = 100
CSV_COLUMNS = (
    "name", "organisation", "state", "district", "enterprise_kind", "phone", "email", "preferred_language",
    "gstin", "udyam", "iec", "product", "category", "odop_product", "gi_tag", "monthly_capacity", "capacity_unit",
    "price_min", "price_max", "price_unit", "export_ready", "languages", "share_contact",
)
PARTICIPANT_COLUMNS = CSV_COLUMNS[:11] + ("languages", "share_contact")
REQUIRED_COLUMNS = ("name", "district", "phone")
SELLER_IN = SellerIn()


class BadFile(ValueError):
    """The upload as a whole cannot be read; nothing was imported."""


STATUSES = ("created", "existing", "refused")


@dataclass
class RowOutcome:
    """What became of row ``row``: ``status``, the participant it made or found, the field
    errors that refused it, and the values taken as their canonical form
    (``vocabularies.canonical_row``: ``[{field, given, canonical, how}]``)."""

    row: int
    status: str  # one of STATUSES
    participant_id: str | None = None
    errors: dict[str, Any] = field(default_factory=dict)
    mapped: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_csv(text: str, role: str = "seller") -> list[dict[str, Any]]:
    """Rows of a seller (or buyer) CSV (decoded text, fields separated by commas, semicolons,
    tabs or vertical bars: see ``shared.csv_input``) as SellerIn- (BuyerIn-) shaped dicts,
    empty cells left out. Raises BadFile naming the delimiter it read the header with when
    columns are wrong."""
    allowed, required, from_cells, _ = ROLES[role]
    try:
        columns, cells, delimiter = read_table(text, allowed)
    except UnreadableCsv as exc:
        raise BadFile(str(exc)) from None
    unknown = sorted(set(columns) - set(allowed))
    missing = [c for c in required if c not in columns]
    if unknown or missing:
        raise BadFile(
            f"Columns (the header read as separated by {DELIMITERS[delimiter]}): unknown {unknown or 'none'}, "
            f"missing {missing or 'none'}. Allowed: {', '.join(allowed)}."
        )
    if len(cells) > MAX_ROWS:
        raise BadFile(f"At most {MAX_ROWS} rows per upload.")
    return [from_cells({k: v for k, v in row.items() if v}) for row in cells]


def _seller_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    """A SellerIn-shaped row from a CSV row's non-empty cells. Without a
    ``preferred_language``, the first of ``languages`` is preferred (rather than English,
    which the seller may not speak)."""
    seller = {k: cells[k] for k in PARTICIPANT_COLUMNS if k in cells}
    if "share_contact" in seller:
        seller["share_contact"] = vocabularies.yes_no(seller["share_contact"])
    if "languages" in cells and "preferred_language" not in cells:
        seller["preferred_language"] = vocabularies.preferred_of(cells["languages"])
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
            product["export_ready"] = vocabularies.yes_no(cells["export_ready"])
        seller["products"] = [product]
    return seller


ROLES = {
    "seller": (CSV_COLUMNS, REQUIRED_COLUMNS, _seller_from_cells, SELLER_IN),
    "buyer": (BUYER_CSV_COLUMNS, BUYER_REQUIRED_COLUMNS, buyer_from_cells, BuyerIn()),
}
"""Per role: the CSV's allowed and required columns, how a row's cells become a record, its schema."""


def import_rows(
    ctx: Registration, job_id: str, numbered_rows: list[tuple[int, dict[str, Any]]], registered_by: str | None, role: str = "seller",
) -> list[RowOutcome]:
    """Register a chunk of rows (``(row number, row)``) of job ``job_id``; their outcomes in order.

    Row ``n`` becomes participant ``row_participant_id(job_id, n)``, so doing a chunk again
    (a run resumed after a crash) finds its own claims and documents and duplicates
    nothing. Round trips: one insert claims every identity key that is free, one inserts
    the participants (each with its events, between its outbox pointer writes); only keys
    already held and refused rows are looked up, one ``_id`` each.
    """
    outcomes: dict[int, RowOutcome] = {}
    prepared: dict[int, participant_actions.Prepared] = {}
    mapped: dict[int, list[dict[str, str]]] = {}
    for number, row in numbered_rows:
        row, mapped[number] = vocabularies.canonical_row(row)
        try:
            details = ROLES[role][3].load(row)
            prepared[number] = participant_actions.prepare(ctx, role, details, registered_by, row_participant_id(job_id, number), send_code=False)
        except ValidationError as exc:
            outcomes[number] = RowOutcome(number, "refused", errors=_storable(exc.messages))
        except DomainError as exc:
            outcomes[number] = RowOutcome(number, "refused", errors={exc.field or "_schema": [str(exc)]})
    identities = ctx.participants.identities
    first: dict[str, int] = {}
    for number, registration in prepared.items():
        for key in registration.participant.import_identity_keys:
            first.setdefault(key, number)
    held = identities.claim_first([(key, prepared[number].participant.id) for key, number in first.items()])
    pending: set[str] = set()
    batch = []
    for number, row in numbered_rows:
        if number not in prepared:
            owner = identities.holder(_identity_keys(row), pending)
            if owner:
                outcomes[number] = RowOutcome(number, "existing", owner)
            continue
        participant = prepared[number].participant
        try:
            for key in participant.import_identity_keys:
                if first[key] != number or key in held:
                    identities.claim(key, participant.id, pending)
        except Conflict as exc:
            identities.release(participant.import_identity_keys, participant.id)
            outcomes[number] = RowOutcome(number, "existing", exc.existing_id)
            continue
        pending.add(participant.id)
        batch.append(prepared[number])
        outcomes[number] = RowOutcome(number, "created", participant.id)
    ctx.participants.add_claimed(batch)
    for number, outcome in outcomes.items():
        outcome.mapped = mapped[number]
    return [outcomes[number] for number, _ in numbered_rows]


def row_participant_id(job_id: str, number: int) -> str:
    return hashlib.sha256(f"{job_id}:{number}".encode()).hexdigest()[:32]


def _identity_keys(row: dict[str, Any]) -> list[str]:
    """The import identity keys of a refused row, from whichever of its values can be read."""
    found: dict[str, str | None] = {}
    for name, normalise in (("phone", lambda raw: normalise_phone(raw, phone_region(row))), ("gstin", normalise_gstin)):
        try:
            found[name] = normalise(str(row[name])) if row.get(name) else None
        except ValueError:
            found[name] = None
    email = row.get("email")
    return import_identity_keys(found["phone"], found["gstin"], email if isinstance(email, str) else None)


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


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-row report: ``{"counts": {status: n}, "rows": [RowOutcome as a dict, ...]}``."""
    return {"counts": count(rows), "rows": rows}


def count(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {status: sum(1 for r in rows if r["status"] == status) for status in STATUSES}
