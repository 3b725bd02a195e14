"""Participants (sellers and buyers): who they are, what they make or seek, and what is verified."""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from shared.correlation import new_id

from services.registration.domain.errors import DomainError, NotFound

SELLER, BUYER = "seller", "buyer"
ENTERPRISE_KINDS = ("artisan", "weaver", "farmer", "trader", "aggregator", "producer_organisation", "cooperative", "msme")
BUYER_KINDS = ("retail_brand", "ecommerce", "wholesaler", "importer", "exporter", "hospitality")
CATEGORIES = ("handicraft", "handloom", "agriculture", "horticulture", "processed_food", "spices", "dry_fruits", "textiles", "other")
CLAIM_KINDS = ("gi_authorised_user", "organic", "handloom_mark", "craftmark", "fssai", "iso", "fair_trade", "other")
CLAIM_PENDING, CLAIM_VERIFIED, CLAIM_REJECTED = "pending", "verified", "rejected"
ECOMMERCE_CHANNELS = ("gem", "marketplace", "own_shop")
ECOMMERCE_STATUSES = ("not_started", "in_progress", "onboarded", "not_interested")
STAFF_VERIFICATION_METHODS = ("in_person", "phone_call", "video_call", "document")
CONTACT_VERIFIED_BY_STAFF = "contact_verified"
MAX_STAFF_ACTIONS = 50


@dataclass
class Claim:
    """A certificate a seller says they hold; it counts only once an organiser verifies it."""

    kind: str
    number: str
    valid_until: date | None = None
    product: str | None = None
    status: str = CLAIM_PENDING
    reviewed_by: str | None = None
    note: str | None = None
    id: str = field(default_factory=new_id)

    def held_on(self, day: date) -> bool:
        return self.status == CLAIM_VERIFIED and (self.valid_until is None or self.valid_until >= day)


@dataclass
class StaffAction:
    """What staff did to a participant's record on their behalf: the audit trail kept with
    the record (the newest ``MAX_STAFF_ACTIONS``) and shown to the participant and staff.
    ``by`` is the staff principal's subject, ``at`` UTC, ``method`` how they checked."""

    action: str
    by: str
    at: datetime
    method: str | None = None
    note: str | None = None


@dataclass
class Participant:
    role: str
    name: str
    country: str
    preferred_language: str
    organisation: str | None = None
    district: str | None = None
    state: str | None = None
    phone: str | None = None
    email: str | None = None
    languages: list[str] = field(default_factory=list)
    share_contact: bool = True  # whether counterparts of a confirmed meeting see the phone and email
    # sellers
    enterprise_kind: str | None = None
    gstin: str | None = None
    udyam: str | None = None
    iec: str | None = None
    products: list[dict[str, Any]] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    ecommerce: dict[str, str] = field(default_factory=dict)
    # buyers
    buyer_kind: str | None = None
    international: bool = False
    sourcing: dict[str, Any] = field(default_factory=dict)
    # bookkeeping
    contact_verified: bool = False
    registered_by: str | None = None
    staff_actions: list[StaffAction] = field(default_factory=list)
    id: str = field(default_factory=new_id)
    registered_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    version: int = 1

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Participant":
        data = dict(data)
        data["claims"] = [c if isinstance(c, Claim) else Claim(**c) for c in data.get("claims", [])]
        data["staff_actions"] = [a if isinstance(a, StaffAction) else StaffAction(**a) for a in data.get("staff_actions", [])]
        return cls(**data)

    @property
    def identity_keys(self) -> list[str]:
        """What recognises this participant again: their phone and, for firms, their GSTIN."""
        return identity_keys(self.phone, self.gstin)

    @property
    def import_identity_keys(self) -> list[str]:
        """What recognises this participant again in an import (``import_identity_keys``)."""
        return import_identity_keys(self.phone, self.gstin, self.email)

    def verify_contact_for(self, by: str, method: str, note: str | None, at: datetime) -> bool:
        """Staff confirm, by ``method`` (one of ``STAFF_VERIFICATION_METHODS``), that the
        participant holds their phone or email, and the confirmation joins the audit trail.
        Staff never take the participant's one-time code or token to do it. False (nothing
        recorded) when the contact is verified already; DomainError for an unknown method
        or a participant with neither phone nor email."""
        if method not in STAFF_VERIFICATION_METHODS:
            raise DomainError(f"How the contact was checked: one of {', '.join(STAFF_VERIFICATION_METHODS)}.", "method")
        if not (self.phone or self.email):
            raise DomainError("There is no phone number or email address to verify.", "phone")
        if self.contact_verified:
            return False
        self.contact_verified = True
        action = StaffAction(CONTACT_VERIFIED_BY_STAFF, by, at, method, note)
        self.staff_actions = [*self.staff_actions, action][-MAX_STAFF_ACTIONS:]
        return True

    def verified_claims(self, on: date) -> list[Claim]:
        return [c for c in self.claims if c.held_on(on)]

    def review_claim(self, claim_id: str, verified: bool, reviewer: str, note: str | None) -> Claim:
        claim = next((c for c in self.claims if c.id == claim_id), None)
        if claim is None:
            raise NotFound(f"No claim {claim_id} on this seller.")
        claim.status = CLAIM_VERIFIED if verified else CLAIM_REJECTED
        claim.reviewed_by, claim.note = reviewer, note
        return claim

    def set_ecommerce(self, channel: str, status: str) -> None:
        if channel not in ECOMMERCE_CHANNELS:
            raise NotFound(f"No e-commerce channel {channel!r}: one of {', '.join(sorted(ECOMMERCE_CHANNELS))}.")
        if status not in ECOMMERCE_STATUSES:
            raise DomainError(f"Unknown onboarding status {status!r}.", "status")
        self.ecommerce[channel] = status


def register_participant(**details) -> Participant:
    """A new participant, checked against the rules that span fields."""
    participant = Participant.from_dict(details) if "claims" in details else Participant(**details)
    if participant.role == SELLER:
        if not participant.phone:
            raise DomainError("A seller needs a mobile number.", "phone")
        if participant.iec and not participant.gstin and participant.enterprise_kind == "msme":
            raise DomainError("An exporting MSME gives its GSTIN with its IEC.", "gstin")
    if participant.role == BUYER and participant.international and participant.country == "IN":
        raise DomainError("An international buyer is based outside India: give the country.", "country")
    if not (participant.phone or participant.email):
        raise DomainError("Give a phone number or an email address.", "phone")
    return participant


def identity_keys(phone: str | None, gstin: str | None) -> list[str]:
    """The identity keys of a participant with this (normalised) phone and GSTIN, e.g.
    ``["phone:+919876543210", "gstin:01ABCDE1234F1Z5"]``: no two participants share one."""
    return [f"{name}:{value}" for name, value in (("phone", phone), ("gstin", gstin)) if value]


def import_identity_keys(phone: str | None, gstin: str | None, email: str | None) -> list[str]:
    """What recognises a participant again in an import (CSV or field batch): their
    ``identity_keys``, or, for a participant with neither phone nor GSTIN (an email-only
    buyer), their email address as ``normalise_email`` gives it
    (``["email:anna@keller.example"]``). Only imports claim email keys: a shared office
    address is not an identity where a phone or GSTIN says who someone is."""
    keys = identity_keys(phone, gstin)
    return keys or ([f"email:{normalise_email(email)}"] if email and email.strip() else [])


def normalise_email(address: str) -> str:
    """An email address as identities compare it: trimmed, Unicode NFC and case folded
    (``" Anna@Keller.Example "`` -> ``"anna@keller.example"``): mail providers treat
    addresses without regard to case, and spreadsheets change it."""
    return unicodedata.normalize("NFC", address.strip()).casefold()
