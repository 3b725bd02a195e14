"""The events matching publishes."""
from __future__ import annotations

from shared import contracts
from shared.contracts import matching as catalogue
from shared.envelope import Event, new_event

from services.matching import SERVICE
from services.matching.domain.participants import ParticipantProfile

SOURCE = f"/bsm/{SERVICE}"


def participant_indexed(profile: ParticipantProfile) -> Event:
    data = contracts.data_for(
        catalogue.PARTICIPANT_INDEXED,
        {"participant_id": profile.id, "role": profile.role, "version": profile.version},
    )
    return new_event(catalogue.PARTICIPANT_INDEXED, SOURCE, profile.id, data)
