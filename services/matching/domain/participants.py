"""Matching's own view of a participant, built only from the events registration publishes."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class ParticipantProfile:
    id: str
    role: str
    name: str
    country: str
    preferred_language: str
    version: int
    organisation: str | None = None
    district: str | None = None
    state: str | None = None
    languages: list[str] = field(default_factory=list)
    enterprise_kind: str | None = None
    buyer_kind: str | None = None
    international: bool = False
    products: list[dict[str, Any]] = field(default_factory=list)
    sourcing: dict[str, Any] = field(default_factory=dict)
    verified_claims: list[dict[str, Any]] = field(default_factory=list)
    contact: dict[str, str | None] = field(default_factory=dict)
    share_contact: bool = True

    @classmethod
    def from_registration(cls, data: dict[str, Any]) -> "ParticipantProfile":
        """Keep what matching needs; the business phone and email are kept only to show the
        other side of a confirmed meeting (``domain.contact_exchange``), never otherwise."""
        return cls(
            id=data["participant_id"],
            role=data["role"],
            name=data["name"],
            country=data["country"],
            preferred_language=data["preferred_language"],
            version=data["version"],
            organisation=data.get("organisation"),
            district=data.get("district"),
            state=data.get("state"),
            languages=sorted({data["preferred_language"], *data.get("languages", [])}),
            enterprise_kind=data.get("enterprise_kind"),
            buyer_kind=data.get("buyer_kind"),
            international=bool(data.get("international")),
            products=_json_ready(data.get("products", [])),
            sourcing=_json_ready(data.get("sourcing") or {}),
            verified_claims=_json_ready(data.get("verified_claims", [])),
            contact={"phone": data.get("phone"), "email": data.get("email")},
            share_contact=data.get("share_contact", True),
        )


def _json_ready(value: Any) -> Any:
    """Event data as read by marshmallow holds dates; the read model keeps plain strings."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
