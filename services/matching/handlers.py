"""What matching does with each event it consumes."""
from __future__ import annotations

from pymongo.database import Database

from shared import contracts
from shared.config import Settings
from shared.consumer import Handler
from shared.contracts import matching as own
from shared.contracts import registration
from shared.envelope import Event

from services.matching.domain.participants import ParticipantProfile
from services.matching.messages import participant_indexed
from services.matching.store import ProfileStore

SUBSCRIBES_TO = [registration.TOPIC]


def build_handlers(db: Database, settings: Settings) -> dict[str, Handler]:
    profiles = ProfileStore(db, settings.topic(own.TOPIC))

    def on_participant_registered(event: Event) -> None:
        profile = ParticipantProfile.from_registration(contracts.read_data(event))
        profiles.save_if_newer(profile, [participant_indexed(profile)])

    return {registration.PARTICIPANT_REGISTERED: on_participant_registered}
