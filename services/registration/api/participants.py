"""``/v1/sellers`` and ``/v1/buyers``: register, read, change; ``/v1/participants``: verify.

Anyone may register (self-registration) and organisers may register others. A participant
sees their full record; other participants see a public profile without contact details
or identifiers; staff see everything.
"""
from __future__ import annotations

from flask import Blueprint, current_app, request

from shared.auth import OPERATOR, ORGANISER, PARTICIPANT, STAFF
from shared.http import Problem, etag, expected_version, idempotent, idempotent_id, json_body, page_args, principal, require, require_self_or
from shared.openapi import documented
from shared.patching import merged_changes
from shared.rate_limits import client_address

from services.registration.actions import participants as actions
from services.registration.api.context import registration
from services.registration.schemas import (
    PARTICIPANT_SORTABLE, BuyerIn, ClaimReview, ClaimSchema, EcommerceStatus, ParticipantOut, ParticipantQuery, PublicParticipantOut,
    SellerIn, StaffVerification, TokenOut, VerificationCode, VerificationRequest,
)

bp = Blueprint("participants", __name__)
FULL, PUBLIC = ParticipantOut(), PublicParticipantOut()


def _optional_principal():
    return principal() if request.headers.get("Authorization") else None


def _full(participant, status: int = 200, headers: dict | None = None):
    return FULL.dump(participant), status, {"ETag": etag(participant.version), **(headers or {})}


def _routes_for(role: str, plural: str, schema) -> None:
    tags = (plural,)
    whole = schema()

    @documented(f"Register a {role}", tags=tags, body=schema, response=ParticipantOut, status=201, errors=(400, 409), headers=("Idempotency-Key",))
    @idempotent
    def register():
        caller = _optional_principal()
        if caller is not None and caller.role != ORGANISER:
            raise Problem(403, "Forbidden", "Only organisers register others; register yourself without credentials.")
        participant = actions.register(registration(), role, whole.load(json_body()), caller, idempotent_id())
        return _full(participant, 201, {"Location": f"/v1/{plural}/{participant.id}"})

    @documented(f"List {plural}", tags=tags, response=ParticipantOut, query=ParticipantQuery, paged=True, roles=STAFF, errors=(400,))
    def list_all():
        require(*STAFF)
        filters = ParticipantQuery().load(request.args)
        sort, limit, cursor = page_args(PARTICIPANT_SORTABLE, "registered_at")
        query = {"role": role}
        for name in ("district", "enterprise_kind", "buyer_kind", "country", "contact_verified"):
            if name in filters:
                query[name] = filters[name]
        if "category" in filters:
            query["products.category" if role == "seller" else "sourcing.categories"] = filters["category"]
        found, next_cursor = registration().participants.list(query, sort, limit, cursor)
        return {"items": [FULL.dump(p) for p in found], "next_cursor": next_cursor}

    @documented(f"A {role} (public profile for other participants)", tags=tags, response=ParticipantOut, roles=(ORGANISER, OPERATOR, PARTICIPANT))
    def read(participant_id: str):
        caller = principal()
        participant = actions.get(registration(), participant_id, role)
        if caller.is_staff or caller.subject == participant_id:
            return _full(participant)
        return PUBLIC.dump(participant)

    @documented(f"Change a {role} (If-Match required)", tags=tags, body=schema, response=ParticipantOut, roles=(ORGANISER, PARTICIPANT), headers=("If-Match",), errors=(400, 404, 409, 412, 428))
    def update(participant_id: str):
        require_self_or(participant_id, ORGANISER)
        version = expected_version(current=lambda: actions.get(registration(), participant_id, role).version)
        changes = merged_changes(whole, FULL.dump(actions.get(registration(), participant_id, role)), json_body())
        return _full(actions.update(registration(), participant_id, role, changes, version))

    bp.add_url_rule(f"/v1/{plural}", f"register_{role}", register, methods=["POST"])
    bp.add_url_rule(f"/v1/{plural}", f"list_{plural}", list_all, methods=["GET"])
    bp.add_url_rule(f"/v1/{plural}/<participant_id>", f"get_{role}", read, methods=["GET"])
    bp.add_url_rule(f"/v1/{plural}/<participant_id>", f"update_{role}", update, methods=["PATCH"])


_routes_for("seller", "sellers", SellerIn)
_routes_for("buyer", "buyers", BuyerIn)


@bp.post("/v1/participants/<participant_id>/verification-code")
@documented("Send a new one-time code (rate limited per participant and client address)", tags=("verification",), body=VerificationRequest, body_optional=True, response=VerificationRequest, status=202, errors=(400, 404, 429))
@idempotent
def send_code(participant_id: str):
    body = VerificationRequest().load(json_body(optional=True))
    return {"channel": actions.request_code(registration(), participant_id, body["channel"], _client())}, 202


@bp.post("/v1/participants/<participant_id>/verify")
@documented("Prove you hold your phone or email; get your token (rate limited)", tags=("verification",), body=VerificationCode, response=TokenOut, errors=(400, 404, 429))
@idempotent
def verify(participant_id: str):
    code = VerificationCode().load(json_body())["code"]
    return {"token": actions.verify(registration(), participant_id, code, _client()), "participant_id": participant_id}


@bp.post("/v1/participants/<participant_id>/contact-verification")
@documented("Staff confirm a participant's phone or email they checked themselves (audited; no token is issued)", tags=("verification",), body=StaffVerification, response=ParticipantOut, roles=(ORGANISER,), errors=(400, 404, 409))
@idempotent
def verify_for(participant_id: str):
    caller = require(ORGANISER)
    body = StaffVerification().load(json_body())
    return _full(actions.verify_contact_by_staff(registration(), participant_id, body["method"], body["note"], caller))


def _client() -> str:
    """The caller's address, behind ``BSM_TRUSTED_PROXY_HOPS`` proxies (default none)."""
    hops = int(current_app.config["SETTINGS"].extra.get("BSM_TRUSTED_PROXY_HOPS", 0))
    return client_address(request.headers.get("X-Forwarded-For"), request.remote_addr, hops)


@bp.post("/v1/sellers/<participant_id>/claims")
@documented("Record a certificate the seller holds (pending review)", tags=("claims",), body=ClaimSchema, response=ClaimSchema, status=201, roles=(ORGANISER, PARTICIPANT), errors=(400, 404, 412))
@idempotent
def add_claim(participant_id: str):
    require_self_or(participant_id, ORGANISER)
    claim = actions.add_claim(registration(), participant_id, ClaimSchema().load(json_body()))
    return ClaimSchema().dump(claim), 201


@bp.post("/v1/sellers/<participant_id>/claims/<claim_id>/review")
@documented("Mark a claim verified or not", tags=("claims",), body=ClaimReview, response=ClaimSchema, roles=(ORGANISER,), errors=(400, 404, 412))
@idempotent
def review_claim(participant_id: str, claim_id: str):
    caller = require(ORGANISER)
    review = ClaimReview().load(json_body())
    claim = actions.review_claim(registration(), participant_id, claim_id, review["verified"], review["note"], caller)
    return ClaimSchema().dump(claim)


@bp.put("/v1/sellers/<participant_id>/ecommerce/<channel>")
@documented("Set a seller's e-commerce onboarding status (gem, marketplace, own_shop)", tags=("ecommerce",), body=EcommerceStatus, response=ParticipantOut, roles=(ORGANISER,), errors=(400, 404, 412))
def set_ecommerce(participant_id: str, channel: str):
    require(ORGANISER)
    status = EcommerceStatus().load(json_body())["status"]
    return _full(actions.set_ecommerce(registration(), participant_id, channel, status))


@bp.get("/v1/reports/ecommerce-onboarding")
@documented("Sellers per e-commerce channel and onboarding status", tags=("ecommerce",), roles=STAFF, errors=())
def ecommerce_report():
    require(*STAFF)
    return {"channels": registration().participants.ecommerce_counts()}
