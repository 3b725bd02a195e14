"""Registering, changing and verifying participants."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, NamedTuple

from shared.auth import Principal
from shared.contracts import registration as catalogue
from shared.correlation import new_id
from shared.envelope import Event, now_ms
from shared.one_time_codes import CODE_TTL

from services.registration.actions import Registration, Stale, retried
from services.registration.domain.errors import DomainError, NotFound
from services.registration.store import AlreadyStored
from services.registration.domain.participants import Claim, Participant, register_participant
from services.registration.messages import participant_event, verification_requested

MAX_ATTEMPTS = 5
CODE_REFUSALS = ("no_live_code", "too_many_wrong_codes", "wrong_code")
"""The ``reason`` of a refused code (422): none was sent or it expired (or was used); this
one had ``MAX_ATTEMPTS`` wrong tries and is spent; it is not the code sent."""
log = logging.getLogger(__name__)


def with_product_ids(details: dict[str, Any]) -> dict[str, Any]:
    if "products" in details:
        details = {**details, "products": [{"id": p.get("id") or new_id(), **p} for p in details["products"]]}
    return details


class Prepared(NamedTuple):
    """A registration ready to store: the participant, its events, its verification code
    (None when none is sent)."""

    participant: Participant
    events: list[Event]
    code: dict[str, Any] | None


def prepare(
    ctx: Registration, role: str, details: dict[str, Any], registered_by: str | None, participant_id: str | None = None, send_code: bool = True,
) -> Prepared:
    """A new seller or buyer from validated ``details`` (not stored); DomainError if a rule
    spanning fields is broken. ``participant_id`` fixes the id (imports derive it).
    ``send_code`` False registers someone who did not ask to (an organiser's import): no
    code goes out until they ask for one (``request_code``)."""
    details = with_product_ids(details)
    country = details.pop("country", "IN")
    if participant_id:
        details["id"] = participant_id
    participant = register_participant(role=role, country=country, registered_by=registered_by, **details)
    registered = participant_event(catalogue.PARTICIPANT_REGISTERED, participant)
    if not send_code:
        return Prepared(participant, [registered], None)
    code_event, code = _new_code(ctx, participant, None)
    return Prepared(participant, [registered, code_event], _code_record(ctx, code))


def register(ctx: Registration, role: str, details: dict[str, Any], by: Principal | None, participant_id: str | None = None) -> Participant:
    """A new seller or buyer; they are sent a code to prove they hold their phone or email.

    ``participant_id`` (derived from the request's Idempotency-Key) makes a retry find the
    participant its earlier attempt stored, whose answer was lost, and return it instead
    of refusing the phone as taken."""
    prepared = prepare(ctx, role, details, by.subject if by else None, participant_id)
    try:
        ctx.participants.add(*prepared)
    except AlreadyStored:
        return get(ctx, prepared.participant.id, role)
    return prepared.participant


def get(ctx: Registration, participant_id: str, role: str | None = None) -> Participant:
    participant = ctx.participants.get(participant_id)
    if participant is None or (role and participant.role != role):
        raise NotFound(f"No {role or 'participant'} {participant_id}.")
    return participant


def update(ctx: Registration, participant_id: str, role: str, changes: dict[str, Any], expected_version: int) -> Participant:
    current = get(ctx, participant_id, role)
    if current.version != expected_version:
        raise Stale(current.version)
    changed = replace(current, **with_product_ids(changes))
    contact_changed = (changed.phone, changed.email) != (current.phone, current.email)
    if contact_changed:
        changed.contact_verified = False
    register_participant(**{k: v for k, v in changed.as_dict().items()})  # the cross-field rules again
    changed.version = current.version + 1
    if not ctx.participants.save(changed, expected_version, [participant_event(catalogue.PARTICIPANT_UPDATED, changed)], current):
        raise Stale(get(ctx, participant_id).version)
    return changed


def request_code(ctx: Registration, participant_id: str, channel: str | None, client: str) -> str:
    """Send a fresh one-time code; returns the channel it goes by. ``RateLimited`` when the
    client address or the participant asked too often (verification.py)."""
    ctx.verification.code_request_from(client)
    participant = get(ctx, participant_id)
    ctx.verification.code_request_for(participant.id)
    event, code = _new_code(ctx, participant, channel)
    ctx.participants.put_code(participant.id, _code_record(ctx, code), [event])
    return event.data["channel"]


def verify(ctx: Registration, participant_id: str, code: str, client: str) -> str:
    """Check the code; on success mark the contact verified and return a token. Every
    attempt counts against the client address's and the participant's hourly limits
    before the code is looked at (``RateLimited``), and a new code does not reset them. A
    refusal is a DomainError whose ``reason`` is ``CODE_REFUSALS``' code for it."""
    ctx.verification.attempt_from(client)
    found = ctx.participants.get_with_code(participant_id)
    if found is None:
        raise NotFound(f"No participant {participant_id}.")
    ctx.verification.attempt_for(participant_id)
    participant, stored = found
    now = datetime.now(timezone.utc)
    if stored is None or stored["expires_at"] < now:
        raise DomainError("There is no live code: ask for a new one.", "code", "no_live_code")
    if stored.get("attempts", 0) >= MAX_ATTEMPTS:
        raise DomainError("Too many wrong codes: ask for a new one.", "code", "too_many_wrong_codes")
    if not hmac.compare_digest(stored["hash"], _hash(ctx, code)) or not ctx.participants.spend_code(participant_id, stored["hash"]):
        ctx.participants.count_code_attempt(participant_id)
        raise DomainError("That code is not right.", "code", "wrong_code")
    retried(lambda: _mark_verified(ctx, participant_id), "participant", "code")
    return ctx.auth.issue(participant_id)


def _mark_verified(ctx: Registration, participant_id: str) -> None:
    """Mark the contact verified (a code was spent for it) unless it is; Stale if a
    concurrent change landed first (the code is spent, so the caller runs this again)."""
    participant = get(ctx, participant_id)
    if participant.contact_verified:
        return
    verified = replace(participant, contact_verified=True, version=participant.version + 1)
    if not ctx.participants.save(verified, participant.version, [participant_event(catalogue.PARTICIPANT_VERIFIED, verified)]):
        raise Stale(get(ctx, participant_id).version)


def verify_contact_by_staff(ctx: Registration, participant_id: str, method: str, note: str | None, by: Principal) -> Participant:
    """Staff mark a participant's contact verified after checking it themselves (see
    ``Participant.verify_contact_for``): recorded in the participant's audit trail, logged
    as an audit line, announced as ``participant.verified``; no token is issued. Doing it
    again once verified changes nothing. A concurrent change is settled by running again
    (``retried``). NotFound, DomainError, Conflict."""
    return retried(lambda: _verify_contact_by_staff(ctx, participant_id, method, note, by), "participant")


def _verify_contact_by_staff(ctx: Registration, participant_id: str, method: str, note: str | None, by: Principal) -> Participant:
    participant = get(ctx, participant_id)
    if not participant.verify_contact_for(by.subject, method, note, now_ms()):
        return participant
    expected = participant.version
    participant.version += 1
    if not ctx.participants.save(participant, expected, [participant_event(catalogue.PARTICIPANT_VERIFIED, participant)]):
        raise Stale(get(ctx, participant_id).version)
    log.info("staff action", extra={"audit": True, "action": "contact_verified", "actor": by.subject, "actor_role": by.role,
                                    "participant_id": participant_id, "method": method})
    return participant


def add_claim(ctx: Registration, participant_id: str, details: dict[str, Any]) -> Claim:
    """A seller's certificate claim (GI authorised user, ...), added for staff to review.
    Like every change here that the caller makes on no version of their own, a concurrent
    change is settled by running again (``retried``)."""
    def add() -> Claim:
        participant = get(ctx, participant_id, "seller")
        claim = Claim(**details)
        participant.claims.append(claim)
        _save_change(ctx, participant)
        return claim
    return retried(add, "seller")


def review_claim(ctx: Registration, participant_id: str, claim_id: str, verified: bool, note: str | None, by: Principal) -> Claim:
    def review() -> Claim:
        participant = get(ctx, participant_id, "seller")
        claim = participant.review_claim(claim_id, verified, by.subject, note)
        _save_change(ctx, participant)
        return claim
    return retried(review, "seller")


def set_ecommerce(ctx: Registration, participant_id: str, channel: str, status: str) -> Participant:
    def set_status() -> Participant:
        participant = get(ctx, participant_id, "seller")
        participant.set_ecommerce(channel, status)
        return _save_change(ctx, participant)
    return retried(set_status, "seller")


def _save_change(ctx: Registration, participant: Participant) -> Participant:
    expected = participant.version
    participant.version += 1
    if not ctx.participants.save(participant, expected, [participant_event(catalogue.PARTICIPANT_UPDATED, participant)]):
        raise Stale(get(ctx, participant.id).version)
    return participant


def _new_code(ctx: Registration, participant: Participant, channel: str | None):
    channel = channel or ("sms" if participant.phone else "email")
    address = participant.phone if channel == "sms" else participant.email
    if not address:
        raise DomainError(f"There is no {'phone number' if channel == 'sms' else 'email address'} to send a code to.", "channel")
    code = f"{secrets.randbelow(10**6):06d}"
    return verification_requested(participant, channel, address, ctx.codes.seal(code), datetime.now(timezone.utc) + CODE_TTL), code


def _code_record(ctx: Registration, code: str) -> dict[str, Any]:
    return {"hash": _hash(ctx, code), "expires_at": datetime.now(timezone.utc) + CODE_TTL, "attempts": 0}


def _hash(ctx: Registration, code: str) -> str:
    return hmac.new(ctx.secret.encode(), code.encode(), hashlib.sha256).hexdigest()
