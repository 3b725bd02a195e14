"""What notifications does with each event it consumes: decide who hears what, and record it.

Sending is the dispatcher's job; recording first means a crash never loses a message, and
deterministic notification ids (event, kind, recipient, channel) mean a redelivered event
records nothing new. Scheduled messages (reminders) are recorded now with a later due time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from shared import contracts
from shared.config import Settings
from shared.consumer import Handler
from shared.contracts import matching, registration
from shared.contracts import notifications as own
from shared.envelope import Event

from services.notifications.domain import recipients
from services.notifications.domain.notifications import nudge_key, reminder_key, scheduled_ids
from services.notifications.schedule_file import schedule_ics
from services.notifications.store import NotificationStore
from services.notifications.views import ContactStore, MeetingView, MeetNames, Tallies

SUBSCRIBES_TO = [registration.TOPIC, matching.TOPIC]
DECISIONS = {
    registration.PARTICIPATION_APPROVED: "participation_approved",
    registration.PARTICIPATION_REJECTED: "participation_rejected",
    registration.PARTICIPATION_WAITLISTED: "participation_waitlisted",
}


def build_handlers(db: Database, settings: Settings) -> dict[str, Handler]:
    store = NotificationStore(db, settings.topic(own.TOPIC))
    contacts = ContactStore(db)
    meetings = MeetingView(db)
    meet_names = MeetNames(db)
    tallies = Tallies(db)
    reminder_minutes = int(settings.extra.get("BSM_REMINDER_MINUTES", 30))
    nudge_hours = int(settings.extra.get("BSM_REQUEST_NUDGE_HOURS", 24))

    def record(notifications) -> None:
        for notification in notifications:
            store.add(notification)

    def tell(participant_id: str, kind: str, context: dict[str, Any], event: Event, at: datetime | None = None, schedule_key: str | None = None) -> None:
        contact = contacts.get(participant_id)
        if contact is not None:
            record(recipients.to_contact(contact, kind, context, event.id, event.correlation_id, at, schedule_key))

    def withdraw_reminders(meeting: dict[str, Any]) -> None:
        """Withdraw the reminders recorded for this version of the meeting, by id."""
        key = reminder_key(meeting["_id"], meeting.get("version", 0))
        store.cancel(scheduled_ids(key, "meeting_reminder", [meeting["seller_id"], meeting["buyer_id"]]))

    def name_of(participant_id: str) -> str:
        contact = contacts.get(participant_id)
        return contact.name if contact else participant_id

    def on_participant(event: Event) -> None:
        data = contracts.read_data(event)
        contacts.save_if_newer(
            data["participant_id"],
            {"name": data.get("organisation") or data["name"], "role": data["role"], "email": data.get("email"),
             "phone": data.get("phone"), "language": data["preferred_language"]},
            data["version"],
        )
        if event.type == registration.PARTICIPANT_REGISTERED:
            record(recipients.registration_received(event.id, event.correlation_id, data))

    def on_verification_requested(event: Event) -> None:
        record(recipients.verification_code(event.id, event.correlation_id, contracts.read_data(event)))

    def on_participation(event: Event) -> None:
        data = contracts.read_data(event)
        tallies.save_participation(data)
        if event.type in DECISIONS:
            on_decision(event, data)

    def on_loi(event: Event) -> None:
        tallies.save_loi(contracts.read_data(event))

    def on_decision(event: Event, data: dict) -> None:
        tell(data["participant_id"], DECISIONS[event.type], {"meet_name": data["meet_name"], "reason": data.get("reason") or ""}, event)

    def on_match_scores(event: Event) -> None:
        data = contracts.read_data(event)
        if data["top"]:
            top = [{"name": name_of(m["counterpart_id"]), "score": m["score"], "reason": (m["reasons"] or [""])[0]} for m in data["top"][:3]]
            tell(data["participant_id"], "match_suggestions", {"matches": top}, event)

    def on_request(event: Event) -> None:
        data = contracts.read_data(event)
        if event.type == matching.MEETING_REQUESTED:
            context = {"from_name": name_of(data["from_id"]), "message": data.get("message") or "", "request_id": data["request_id"]}
            tell(data["to_id"], "meeting_requested", context, event)
            later = datetime.now(timezone.utc) + timedelta(hours=nudge_hours)
            tell(data["to_id"], "request_waiting", context, event, at=later, schedule_key=nudge_key(data["request_id"]))
        else:
            store.cancel(scheduled_ids(nudge_key(data["request_id"]), "request_waiting", [data["to_id"]]))
            kind = "meeting_accepted" if event.type == matching.MEETING_ACCEPTED else "meeting_declined"
            tell(data["from_id"], kind, {"other_name": name_of(data["to_id"])}, event)

    def on_meeting_scheduled(event: Event) -> None:
        """Announce a meeting added after publication, and record its reminder (a moved
        meeting's earlier reminder is withdrawn). The meeting is saved last, so a crash
        part way is redone when the event comes again."""
        data = contracts.read_data(event)
        meeting = {**data, "day": str(data["day"])}
        previous = meetings.get(meeting["meeting_id"])
        if previous and previous.get("version", 0) >= meeting["version"]:
            return
        if previous:
            withdraw_reminders(previous)
        if meet_names.published(meeting["meet_id"]):
            for who, other in ((meeting["seller_id"], meeting["buyer_id"]), (meeting["buyer_id"], meeting["seller_id"])):
                context = {"day": meeting["day"], "start": meeting["start"], "table": meeting["table"], "with": name_of(other)}
                tell(who, "meeting_added", context, event)
        starts = datetime.fromisoformat(f"{meeting['day']}T{meeting['start']}").replace(tzinfo=ZoneInfo(meeting["timezone"]))
        if starts > datetime.now(starts.tzinfo):
            lead = meet_names.reminder_minutes(meeting["meet_id"], reminder_minutes)
            key = reminder_key(meeting["meeting_id"], meeting["version"])
            for who, other in ((meeting["seller_id"], meeting["buyer_id"]), (meeting["buyer_id"], meeting["seller_id"])):
                context = {"minutes": lead, "start": meeting["start"], "table": meeting["table"], "with": name_of(other),
                           "meeting_id": meeting["meeting_id"]}
                tell(who, "meeting_reminder", context, event, at=starts - timedelta(minutes=lead), schedule_key=key)
        meetings.save(meeting)

    def on_meeting_cancelled(event: Event) -> None:
        data = contracts.read_data(event)
        meeting = {**data, "day": str(data["day"])}
        previous = meetings.get(meeting["meeting_id"])
        if previous and previous.get("version", 0) > meeting["version"]:
            return
        if previous and previous.get("version", 0) < meeting["version"]:
            withdraw_reminders(previous)
        for who, other in ((meeting["seller_id"], meeting["buyer_id"]), (meeting["buyer_id"], meeting["seller_id"])):
            tell(who, "meeting_cancelled", {"day": meeting["day"], "start": meeting["start"], "table": meeting["table"], "with": name_of(other)}, event)
        meetings.save(meeting)

    def on_schedule_published(event: Event) -> None:
        """One message per participant with all their meetings (and a calendar file by email)."""
        data = contracts.read_data(event)
        meet_names.mark_published(data["meet_id"])
        names: dict[str, str] = {}
        by_person: dict[str, list[dict]] = {}
        for meeting in meetings.of_meet(data["meet_id"]):
            for who, other in ((meeting["seller_id"], meeting["buyer_id"]), (meeting["buyer_id"], meeting["seller_id"])):
                if other not in names:
                    names[other] = name_of(other)
                by_person.setdefault(who, []).append({**_meeting_line(meeting), "with": names[other]})
        meet_name = meet_names.get(data["meet_id"])
        for who, lines in by_person.items():
            context = {"meet_name": meet_name, "meetings": lines, "ics": schedule_ics(who, lines, meet_name)}
            tell(who, "schedule_published", context, event)

    def on_meet(event: Event) -> None:
        data = contracts.read_data(event)
        meet_names.save(data["meet_id"], data["name"], data["version"], data["status"], data["timezone"], data["reminder_minutes"])
        if data["status"] == "completed":
            for participant_id in tallies.approved(data["meet_id"]):
                tell(participant_id, "thank_you", {"meet_name": data["name"]}, event)

    def on_follow_up_due(event: Event) -> None:
        data = contracts.read_data(event)
        for who, other in ((data["seller_id"], data["buyer_id"]), (data["buyer_id"], data["seller_id"])):
            tell(who, "follow_up_due", {"days": data["days_after_signing"], "product": data["product"], "with": name_of(other)}, event)

    participant_types = (registration.PARTICIPANT_REGISTERED, registration.PARTICIPANT_UPDATED, registration.PARTICIPANT_VERIFIED)
    return {
        **{t: on_participant for t in participant_types},
        registration.VERIFICATION_REQUESTED: on_verification_requested,
        **{t: on_meet for t in (registration.MEET_CREATED, registration.MEET_UPDATED, registration.MEET_STATUS_CHANGED)},
        **{t: on_participation for t in (*DECISIONS, registration.PARTICIPATION_APPLIED, registration.PARTICIPATION_WITHDRAWN)},
        matching.LOI_SIGNED: on_loi,
        matching.MATCH_SCORES_UPDATED: on_match_scores,
        **{t: on_request for t in (matching.MEETING_REQUESTED, matching.MEETING_ACCEPTED, matching.MEETING_DECLINED)},
        matching.MEETING_SCHEDULED: on_meeting_scheduled,
        matching.MEETING_CANCELLED: on_meeting_cancelled,
        matching.SCHEDULE_PUBLISHED: on_schedule_published,
        matching.FOLLOW_UP_DUE: on_follow_up_due,
    }


def _meeting_line(meeting: dict[str, Any]) -> dict[str, Any]:
    return {"meeting_id": meeting["_id"], **{k: meeting.get(k) for k in ("day", "start", "end", "table", "interpreter", "timezone")}}
