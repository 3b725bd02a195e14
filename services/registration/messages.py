"""The events registration publishes, built from domain objects."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from shared import contracts
from shared.contracts import registration as catalogue
from shared.envelope import Event, new_event

from services.registration import SERVICE
from services.registration.domain.applications import Application
from services.registration.domain.meets import Meet
from services.registration.domain.participants import Participant

SOURCE = f"/bsm/{SERVICE}"
PARTICIPATION_TYPES = {
    "applied": catalogue.PARTICIPATION_APPLIED,
    "approved": catalogue.PARTICIPATION_APPROVED,
    "rejected": catalogue.PARTICIPATION_REJECTED,
    "waitlisted": catalogue.PARTICIPATION_WAITLISTED,
    "withdrawn": catalogue.PARTICIPATION_WITHDRAWN,
}


def _event(event_type: str, subject: str, payload: dict) -> Event:
    return new_event(event_type, SOURCE, subject, contracts.data_for(event_type, payload))


def participant_event(event_type: str, participant: Participant) -> Event:
    """``participant.registered`` / ``updated`` / ``verified``: the whole profile."""
    today = datetime.now(timezone.utc).date()
    payload = {
        "participant_id": participant.id,
        "role": participant.role,
        "name": participant.name,
        "organisation": participant.organisation,
        "enterprise_kind": participant.enterprise_kind,
        "buyer_kind": participant.buyer_kind,
        "district": participant.district,
        "state": participant.state,
        "country": participant.country,
        "international": participant.international,
        "phone": participant.phone,
        "email": participant.email,
        "share_contact": participant.share_contact,
        "preferred_language": participant.preferred_language,
        "languages": participant.languages,
        "products": participant.products,
        "sourcing": participant.sourcing,
        "verified_claims": [
            {"kind": c.kind, "product": c.product, "valid_until": c.valid_until} for c in participant.verified_claims(today)
        ],
        "ecommerce": participant.ecommerce,
        "contact_verified": participant.contact_verified,
        "registered_at": participant.registered_at,
        "version": participant.version,
    }
    return _event(event_type, participant.id, payload)


def verification_requested(participant: Participant, channel: str, address: str, sealed_code: str, expires_at: datetime) -> Event:
    """The code must reach the participant; it travels sealed (shared/one_time_codes.py)."""
    payload = {
        "participant_id": participant.id,
        "name": participant.name,
        "channel": channel,
        "address": address,
        "preferred_language": participant.preferred_language,
        "sealed_code": sealed_code,
        "expires_at": expires_at,
    }
    return _event(catalogue.VERIFICATION_REQUESTED, participant.id, payload)


def meet_event(event_type: str, meet: Meet, previous_status: str | None = None) -> Event:
    payload = {
        "meet_id": meet.id,
        "name": meet.name,
        "venue": meet.venue,
        "city": meet.city,
        "timezone": meet.timezone,
        "days": meet.days,
        "meeting_minutes": meet.meeting_minutes,
        "reminder_minutes": meet.reminder_minutes,
        "tables": meet.tables,
        "capacity_sellers": meet.capacity_sellers,
        "capacity_buyers": meet.capacity_buyers,
        "slots": [
            {"id": s.id, "day": s.day, "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")} for s in meet.slots()
        ],
        "status": meet.status,
        "previous_status": previous_status,
        "historical": meet.historical,
        "version": meet.version,
    }
    return _event(event_type, meet.id, payload)


def participation_event(application: Application, meet: Meet, meet_approved: dict[str, Any] | None = None, event_type: str | None = None) -> Event:
    """The application as it now is, typed by its status unless ``event_type`` says
    otherwise (``availability_changed``). ``meet_approved``: for a decision, the meet's
    approved counts once it is made (``{"seller": n, "buyer": n, "as_of": decided_at}``),
    so matching can tell whether it knows every approved participant."""
    payload = {
        "meet_id": application.meet_id,
        "participant_id": application.participant_id,
        "role": application.role,
        "status": application.status,
        "availability": application.availability,
        "reason": application.reason,
        "meet_name": meet.name,
        "version": application.version,
        "meet_approved": meet_approved,
        "meet_version": application.slots_version,
    }
    return _event(event_type or PARTICIPATION_TYPES[application.status], application.id, payload)


def availability_changed(application: Application, meet: Meet) -> Event:
    """The application carried onto the edited ``meet``'s slots (no decision made)."""
    return participation_event(application, meet, event_type=catalogue.PARTICIPATION_AVAILABILITY_CHANGED)


