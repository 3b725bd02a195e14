"""The events registration publishes, built from domain objects."""
from __future__ import annotations

from shared import contracts
from shared.contracts import registration as catalogue
from shared.envelope import Event, new_event

from services.registration import SERVICE
from services.registration.domain.participants import Participant

SOURCE = f"/bsm/{SERVICE}"


def participant_registered(participant: Participant) -> Event:
    data = contracts.data_for(
        catalogue.PARTICIPANT_REGISTERED,
        {
            "participant_id": participant.id,
            "role": participant.role,
            "name": participant.name,
            "organisation": participant.organisation,
            "district": participant.district,
            "state": participant.state,
            "country": participant.country,
            "phone": participant.phone,
            "email": participant.email,
            "preferred_language": participant.preferred_language,
            "registered_at": participant.registered_at,
            "version": participant.version,
        },
    )
    return new_event(catalogue.PARTICIPANT_REGISTERED, SOURCE, participant.id, data)
