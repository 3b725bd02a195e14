"""What matching does with each event it consumes: keep its own read model current.

Each event costs ``_id`` reads and writes only: the participation and the meet's roster,
and for an approval the roster's profiles (to announce the best matches), each by id.
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
from services.matching import actions, messages
from services.matching.store import InterpreterStore, MeetingStore, MeetView, PreferenceStore, ProfileStore, RequestStore, ScheduleStore

SUBSCRIBES_TO = [registration.TOPIC]
LEFT = ("withdrawn", "rejected")


def build_handlers(db: Database, settings: Settings) -> dict[str, Handler]:
    topic = settings.topic(own.TOPIC)
    profiles = ProfileStore(db, topic)
    meets = MeetView(db)
    meetings = MeetingStore(db, topic)
    context = actions.Matching(profiles, meets, PreferenceStore(db), ScheduleStore(db, topic), meetings, RequestStore(db, topic), InterpreterStore(db))

    def on_participant(event: Event) -> None:
        profile = ParticipantProfile.from_registration(contracts.read_data(event))
        profiles.save_if_newer(profile, [participant_indexed(profile)])

    def on_meet(event: Event) -> None:
        meets.save_meet(contracts.read_data(event))

    def on_participation(event: Event) -> None:
        data = contracts.read_data(event)
        saved = meets.save_participation(data)
        if saved and data["status"] == "approved":
            announce_top_matches(data["meet_id"], data["participant_id"])
        if saved and data["status"] in LEFT and meetings.placements(data["meet_id"], data["participant_id"]):
            try:
                actions.cancel_participant(context, data["meet_id"], data["participant_id"], "withdrawn")
            except actions.Refused:
                pass  # nothing published to repair

    def announce_top_matches(meet_id: str, participant_id: str) -> None:
        """Tell the newly approved participant's side who suits them best (notifications sends it)."""
        try:
            best = actions.recommendations(context, meet_id, participant_id, limit=5)
        except actions.NotFound:
            return  # the profile has not arrived yet; its own event will not re-announce, which is fine
        key = "buyer" if best and best[0]["seller"]["id"] == participant_id else "seller"
        top = [{"counterpart_id": m[key]["id"], "score": m["score"], "reasons": m["reasons"]} for m in best]
        meets.announce(meet_id, participant_id, topic, [messages.match_scores_updated(meet_id, participant_id, top)])

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
