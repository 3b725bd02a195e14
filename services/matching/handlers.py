"""What matching does with each event it consumes: keep its own read model current.

Each event costs a few ``_id`` reads and writes, whatever the meet's size: the
participation and the meet's roster, and for an approval an entry on the suggestions
due-queue (the ``suggestions`` worker announces the best matches, see
``actions.suggestions``).

Events with different keys arrive in any order, and any of them again. Every stored
document takes a version only if it is newer, and every other effect is derived from what
is stored, not from whether this delivery stored it: a retry after a crash part-way
redoes whatever is missing. An approval whose participant's profile has not arrived
parks the meet's suggestions on it (``profiles_awaited``) until it does; a participation
that left with meetings still scheduled repairs the schedule between two marks on the
participation, so that an interrupted repair is completed by the redelivery. Every meet
event, and every change of an approved participant's availability (the meet's slots
changed), brings the published meetings in line with the meet and the availability as
stored (``actions.meet_changes``); with nothing published, that costs one read of the
meet's list of meetings. A meet event while a publication is under way is followed by
the publication when it completes. A newer profile that gives up a language is noted
before it is stored, and the person's published meetings still to come are then given an
interpreter who bridges a pair left without a common language, or cancelled
(``actions.interpreters``); any other participant event costs two ``_id`` reads more.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

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


def build_handlers(db: Database, settings: Settings, clock: Callable[[], datetime] | None = None) -> dict[str, Handler]:
    """Event type -> handler. ``clock``: the time now (aware) by which the handlers tell
    whether a meeting has begun; the time now by default (tests may give another)."""
    topic = settings.topic(own.TOPIC)
    context = actions.Matching.on(db, topic)
    if clock is not None:
        context.clock = clock
    profiles, meets = context.profiles, context.meets

    def on_participant(event: Event) -> None:
        profile = ParticipantProfile.from_registration(contracts.read_data(event))
        actions.note_languages(context, profile)
        profiles.save_if_newer(profile, [participant_indexed(profile)])
        profiles.arrived(profile.id)
        actions.follow_languages(context, profile.id)

    def on_meet(event: Event) -> None:
        data = contracts.read_data(event)
        meets.save_meet(data)
        if not (context.schedules.get(data["meet_id"]) or {}).get("publishing"):
            actions.follow_meet(context, data["meet_id"])

    def on_participation(event: Event) -> None:
        data = contracts.read_data(event)
        _, stored = meets.save_participation(data)
        if data.get("meet_approved"):
            meets.note_approved_counts(data["meet_id"], data["meet_approved"])
        if event.type == registration.PARTICIPATION_AVAILABILITY_CHANGED:
            stored = meets.carry_suggestions(stored, data["version"])
        else:
            meets.queue_suggestions(stored)
        if stored["status"] == "approved":
            profiles.await_profiles(stored["meet_id"], [stored["participant_id"]])
            if event.type == registration.PARTICIPATION_AVAILABILITY_CHANGED:
                actions.follow_availability(context, stored)
        if stored["status"] in LEFT:
            repair_after_leaving(context, stored)

    participant_types = (registration.PARTICIPANT_REGISTERED, registration.PARTICIPANT_UPDATED, registration.PARTICIPANT_VERIFIED)
    meet_types = (registration.MEET_CREATED, registration.MEET_UPDATED, registration.MEET_STATUS_CHANGED)
    participation_types = (
        registration.PARTICIPATION_APPLIED, registration.PARTICIPATION_APPROVED, registration.PARTICIPATION_REJECTED,
        registration.PARTICIPATION_WAITLISTED, registration.PARTICIPATION_WITHDRAWN, registration.PARTICIPATION_AVAILABILITY_CHANGED,
    )
    return {
        **{t: on_participant for t in participant_types},
        **{t: on_meet for t in meet_types},
        **{t: on_participation for t in participation_types},
    }


def repair_after_leaving(context: actions.Matching, participation: dict) -> None:
    """Cancel the meetings of a participant whose stored participation has left the meet
    and fill the freed places, once per participation version: begun only while they
    still have a scheduled meeting, marked done last, and redone until it is."""
    meet_id, participant_id, version = participation["meet_id"], participation["participant_id"], participation["version"]
    repair = participation.get("repair") or {}
    if repair.get("version") == version:
        if repair.get("done"):
            return
    elif not any(doc["status"] == "scheduled" for doc in _listed_meetings(context, meet_id, participant_id)):
        return
    elif not context.meets.mark_repair(participation, done=False):
        return
    try:
        actions.cancel_participant(context, meet_id, participant_id, "withdrawn")
    except actions.Refused:
        pass  # nothing published to repair
    for doc in _listed_meetings(context, meet_id, participant_id):
        if doc["status"] == "cancelled":
            context.meetings.mark_cancelled(meet_id, doc["_id"])  # an attempt stopped between cancelling it and unlisting it
    context.meets.mark_repair(participation, done=True)


def _listed_meetings(context: actions.Matching, meet_id: str, participant_id: str) -> list[dict]:
    """The participant's meetings on the meet's list of live ones (by ``_id``)."""
    return context.meetings.many(p["meeting_id"] for p in context.meetings.placements(meet_id, participant_id))
