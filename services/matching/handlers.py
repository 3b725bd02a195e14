"""What matching does with each event it consumes: keep its own read model current.

Each event costs a few ``_id`` reads and writes, whatever the meet's size: the
participation and the meet's roster, and for an approval an entry on the suggestions
due-queue (the ``suggestions`` worker announces the best matches, see
``actions.suggestions``).
"""
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
from services.matching import actions

SUBSCRIBES_TO = [registration.TOPIC]
LEFT = ("withdrawn", "rejected")


def build_handlers(db: Database, settings: Settings) -> dict[str, Handler]:
    topic = settings.topic(own.TOPIC)
    context = actions.Matching.on(db, topic)
    profiles, meets, meetings = context.profiles, context.meets, context.meetings

    def on_participant(event: Event) -> None:
        profile = ParticipantProfile.from_registration(contracts.read_data(event))
        profiles.save_if_newer(profile, [participant_indexed(profile)])

    def on_meet(event: Event) -> None:
        meets.save_meet(contracts.read_data(event))

    def on_participation(event: Event) -> None:
        data = contracts.read_data(event)
        saved, stored = meets.save_participation(data)
        meets.queue_suggestions(stored)
        if saved and data["status"] in LEFT and meetings.placements(data["meet_id"], data["participant_id"]):
            try:
                actions.cancel_participant(context, data["meet_id"], data["participant_id"], "withdrawn")
            except actions.Refused:
                pass  # nothing published to repair

    participant_types = (registration.PARTICIPANT_REGISTERED, registration.PARTICIPANT_UPDATED, registration.PARTICIPANT_VERIFIED)
    meet_types = (registration.MEET_CREATED, registration.MEET_UPDATED, registration.MEET_STATUS_CHANGED)
    participation_types = (
        registration.PARTICIPATION_APPLIED, registration.PARTICIPATION_APPROVED, registration.PARTICIPATION_REJECTED,
        registration.PARTICIPATION_WAITLISTED, registration.PARTICIPATION_WITHDRAWN,
    )
    return {
        **{t: on_participant for t in participant_types},
        **{t: on_meet for t in meet_types},
        **{t: on_participation for t in participation_types},
    }
