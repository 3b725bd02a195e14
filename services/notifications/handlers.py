"""What notifications does with each event it consumes: decide who hears what, and record it.

Sending is the dispatcher's job; recording first means a crash never loses a message, and
deterministic notification ids (event, kind, recipient, channel) mean a redelivered event
records nothing new. Scheduled messages (reminders) are recorded now with a later due time.

Events with different keys arrive in any order. Work that needs something not known yet
(the contact of a person it names, the meet, a meeting of a published schedule) is parked
(``waiting.py``) and done when that arrives, with the event's own ids, so the messages
recorded are the same whatever the order. Every message about a meet waits for the meet,
and none is recorded for a historical meet (one recorded after it happened), while its
meetings and publications are still kept; what is about the person alone (registration
received, verification codes) still goes. Every effect is idempotent and none is skipped
because an earlier attempt got part way: an event counts as handled only when its
handler returns, and a retry redoes what is missing.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from pymongo.database import Database

from shared import contracts
from shared.config import Settings
from shared.consumer import Handler, PermanentError
from shared.contracts import matching, registration
from shared.contracts import notifications as own
from shared.envelope import Event
from shared.timezones import wall_clock, zone_abbreviation

from services.notifications.domain import recipients
from services.notifications.domain.contacts import Contact
from services.notifications.domain.links import agenda_url, suggestions_url, times_url, web_url
from services.notifications.domain.notifications import nudge_key, reminder_key, scheduled_ids, suggestions_key, thanks_key
from services.notifications.domain.schedules import Pair, other_side, pairs_by_person, schedule_lines, sellers_of, with_news
from services.notifications.schedule_file import changed_meeting_ics, schedule_ics
from services.notifications.store import NotificationStore
from services.notifications.views import ContactStore, MeetingView, MeetNames, Publications, Tallies
from services.notifications.waiting import Parking, WaitingRoom, meet_key, pair_key, participant_key

SUBSCRIBES_TO = [registration.TOPIC, matching.TOPIC]
REMINDERS_VERSION = "reminders_version"
"""On a stored meeting: the version whose reminders are live (an earlier one when a new
version at the same instant came once their time had come, and kept them)."""
WHERE_AND_WHEN = ("day", "start", "end", "table", "timezone")  # a new version of a meeting that changes one of them is announced as changed
STILL_TAKING_PART = ("applied", "waitlisted", "approved")  # whose application can still be given meetings
DECISIONS = {
    registration.PARTICIPATION_APPROVED: "participation_approved",
    registration.PARTICIPATION_REJECTED: "participation_rejected",
    registration.PARTICIPATION_WAITLISTED: "participation_waitlisted",
}
Source = tuple[str, "str | None"]


def build_handlers(db: Database, settings: Settings) -> dict[str, Handler]:
    store = NotificationStore(db, settings.topic(own.TOPIC))
    contacts = ContactStore(db)
    meetings = MeetingView(db)
    meet_names = MeetNames(db)
    publications = Publications(db)
    tallies = Tallies(db)
    reminder_minutes = int(settings.extra.get("BSM_REMINDER_MINUTES", 30))
    nudge_hours = int(settings.extra.get("BSM_REQUEST_NUDGE_HOURS", 24))
    web = web_url(settings.extra)
    historical_meets: dict[str, bool] = {}  # whether a meet is historical is said when it is created, never changed

    def record(notifications) -> None:
        for notification in notifications:
            store.add(notification)

    def tell(meet_id: str, contact: Contact, kind: str, context: dict[str, Any], source: Source, at: datetime | None = None,
             schedule_key: str | None = None) -> None:
        """Record a message about the meet for ``contact``, unless the meet is historical
        (recorded after it happened: nobody hears anything about it). Only work that waited
        for the meet may tell: a RuntimeError says when the meet is not known yet."""
        if meet_id not in historical_meets:
            historical = meet_names.historical(meet_id)
            if historical is None:
                raise RuntimeError(f"a {kind} message about meet {meet_id} before the meet is known")
            historical_meets[meet_id] = historical
        if not historical_meets[meet_id]:
            record(recipients.to_contact(contact, kind, context, source[0], source[1], at, schedule_key))

    def known(key: str) -> bool:
        kind, _, ident = key.partition(":")
        if kind == "participant":
            return contacts.get(ident) is not None
        if kind == "meet":
            return meet_names.known(ident)
        meet_id, seller_id, buyer_id = ident.split("|")
        return meetings.of_pair(meet_id, seller_id, buyer_id) is not None

    parking = Parking(WaitingRoom(db), known, lambda event, part: handlers[event.type](event, part))
    wait, release = parking.wait, parking.release

    def gather(event: Event, people: Iterable[str], part: dict[str, Any] | None = None, meet_id: str | None = None,
               cache: dict[str, Contact] | None = None) -> dict[str, Contact] | None:
        """The contacts of ``people`` once everything the work needs is known (the meet too,
        when ``meet_id`` is given); otherwise the work is parked under the first thing
        missing and None is returned."""
        if meet_id is not None and not meet_names.known(meet_id):
            wait(meet_key(meet_id), event, part)
            return None
        cache = {} if cache is None else cache
        found = {}
        for participant_id in people:
            if participant_id not in cache:
                contact = contacts.get(participant_id)
                if contact is None:
                    wait(participant_key(participant_id), event, part)
                    return None
                cache[participant_id] = contact
            found[participant_id] = cache[participant_id]
        return found

    def withdraw_reminders(meeting: dict[str, Any]) -> None:
        """Withdraw the live reminders of the stored meeting, by id: those of the version
        that recorded them (``reminders_version``; its own version when not stored)."""
        key = reminder_key(meeting["_id"], meeting.get(REMINDERS_VERSION, meeting.get("version", 0)))
        store.cancel(scheduled_ids(key, "meeting_reminder", [meeting["seller_id"], meeting["buyer_id"]]))

    def both_sides(meeting: dict[str, Any]) -> tuple[tuple[str, str], tuple[str, str]]:
        return (meeting["seller_id"], meeting["buyer_id"]), (meeting["buyer_id"], meeting["seller_id"])

    def announce(kind: str, meeting: dict[str, Any], people: dict[str, Contact], source: Source,
                 details: Callable[[str], dict[str, Any]] = lambda other: {}) -> None:
        """Tell both sides where and when a meeting (event data or stored document) is:
        ``meeting_added`` (not in the meet's first publication) or ``meeting_changed``
        (``announce_change``); ``details(other)``: what else a side's message carries, by
        the other side's id."""
        meeting_id = meeting.get("meeting_id") or meeting["_id"]
        for who, other in both_sides(meeting):
            context = {"day": meeting["day"], "start": meeting["start"], "end": meeting.get("end"), "table": meeting["table"], "with": people[other].name,
                       "meeting_id": meeting_id, **details(other)}
            tell(meeting["meet_id"], people[who], kind, context, source)

    def announce_change(meeting: dict[str, Any], previous: dict[str, Any], starts: datetime, people: dict[str, Contact], event: Event) -> None:
        """``meeting_changed`` for a new version still to come at another day, start or end
        time, table or time zone: with its calendar file (the schedule file's event, a later
        SEQUENCE, so a calendar replaces its copy) and, when the zone changed, the zone after
        the times (``zone``, e.g. IST, at ``starts``) and its IANA name (``timezone``), since
        the same wall-clock times are then another instant."""
        zone = {} if previous.get("timezone") == meeting["timezone"] else {"zone": zone_abbreviation(starts), "timezone": meeting["timezone"]}
        meet_name = meet_names.name(meeting["meet_id"]) or ""

        def details(other: str) -> dict[str, Any]:
            return {**zone, "ics": changed_meeting_ics(meeting, people[other].name, meet_name, event_time(event))}

        announce("meeting_changed", meeting, people, _source(event), details)

    def on_participant(event: Event, part: dict[str, Any] | None = None) -> None:
        data = contracts.read_data(event)
        contacts.save_if_newer(
            data["participant_id"],
            {"name": data.get("organisation") or data["name"], "role": data["role"], "email": data.get("email"),
             "phone": data.get("phone"), "language": data["preferred_language"], "share_contact": data.get("share_contact", True)},
            data["version"],
        )
        if event.type == registration.PARTICIPANT_REGISTERED:
            record(recipients.registration_received(event.id, event.correlation_id, data))
        release(participant_key(data["participant_id"]))

    def on_verification_requested(event: Event, part: dict[str, Any] | None = None) -> None:
        record(recipients.verification_code(event.id, event.correlation_id, contracts.read_data(event)))

    def on_participation(event: Event, part: dict[str, Any] | None = None) -> None:
        data = contracts.read_data(event)
        tallies.save_participation(data)
        if event.type in DECISIONS:
            people = gather(event, [data["participant_id"]], meet_id=data["meet_id"])
            if people is not None:
                context = {"meet_name": data["meet_name"], "reason": data.get("reason") or ""}
                tell(data["meet_id"], people[data["participant_id"]], DECISIONS[event.type], context, _source(event))
                if event.type == registration.PARTICIPATION_APPROVED and meet_names.status(data["meet_id"]) == "completed":
                    thank(data["meet_id"], people[data["participant_id"]], data["meet_name"], event)
        elif event.type == registration.PARTICIPATION_AVAILABILITY_CHANGED and not data["availability"] and data["status"] in STILL_TAKING_PART:
            people = gather(event, [data["participant_id"]], meet_id=data["meet_id"])
            if people is not None:
                context = {"meet_name": data["meet_name"], "times_url": times_url(web, data["meet_id"])}
                tell(data["meet_id"], people[data["participant_id"]], "times_to_choose", context, _source(event))

    def on_loi(event: Event, part: dict[str, Any] | None = None) -> None:
        tallies.save_loi(contracts.read_data(event))

    def on_match_scores(event: Event, part: dict[str, Any] | None = None) -> None:
        data = contracts.read_data(event)
        top = data["top"][:3]
        if not top:
            return
        people = gather(event, [data["participant_id"], *(m["counterpart_id"] for m in top)], meet_id=data["meet_id"])
        if people is not None:
            matches = [{"name": people[m["counterpart_id"]].name, "score": m["score"], "reason": (m["reasons"] or [""])[0]} for m in top]
            made = event_time(event)
            key = suggestions_key(data["meet_id"], data["participant_id"], made.astimezone(timezone.utc).date().isoformat())
            context = {"matches": matches, "meet_name": meet_names.name(data["meet_id"]) or "", "suggestions_url": suggestions_url(web, data["meet_id"])}
            tell(data["meet_id"], people[data["participant_id"]], "match_suggestions", context, _source(event), at=made, schedule_key=key)

    def on_request(event: Event, part: dict[str, Any] | None = None) -> None:
        data = contracts.read_data(event)
        meet_id = data["meet_id"]
        people = gather(event, [data["from_id"], data["to_id"]], meet_id=meet_id)
        if people is None:
            return
        if event.type == matching.MEETING_REQUESTED:
            context = {"from_name": people[data["from_id"]].name, "message": data.get("message") or "", "request_id": data["request_id"]}
            tell(meet_id, people[data["to_id"]], "meeting_requested", context, _source(event))
            later = event_time(event) + timedelta(hours=nudge_hours)
            tell(meet_id, people[data["to_id"]], "request_waiting", context, _source(event), at=later, schedule_key=nudge_key(data["request_id"]))
        else:
            store.cancel(scheduled_ids(nudge_key(data["request_id"]), "request_waiting", [data["to_id"]]))
            kind = "meeting_accepted" if event.type == matching.MEETING_ACCEPTED else "meeting_declined"
            tell(meet_id, people[data["from_id"]], kind, {"other_name": people[data["to_id"]].name}, _source(event))

    def on_meeting_scheduled(event: Event, part: dict[str, Any] | None = None) -> None:
        """Record the meeting's reminders, before its start in its zone (withdrawing a moved
        or re-zoned meeting's earlier ones; a new version at the same instant whose reminder
        time has come keeps the earlier version's reminders, sent or about to be, rather
        than send a second), keep the meeting, tell both sides of a new
        version still to come at another time (start or end), table or time zone
        (``meeting_changed``), and announce its first version as added when the meet's
        first publication is known and does not hold it (a later version is a change, not
        an addition; a meeting cancelled since is not announced). Waits for both people and
        the meet. The meeting is saved after its reminders, so a stored version at least as
        new as the event's does not mean they are done; only a newer one makes the event
        stale."""
        data = contracts.read_data(event)
        meeting = {**data, "day": str(data["day"])}
        starts = _starts(meeting)
        people = gather(event, [meeting["seller_id"], meeting["buyer_id"]], meet_id=meeting["meet_id"])
        if people is None:
            return
        previous = meetings.get(meeting["meeting_id"])
        if previous is None or previous.get("version", 0) <= meeting["version"]:
            now = datetime.now(timezone.utc)
            lead = meet_names.reminder_minutes(meeting["meet_id"], reminder_minutes)
            newer = previous is not None and previous.get("version", 0) < meeting["version"]
            reminded = newer and previous.get("status") == "scheduled" and _starts(previous) == starts and starts - timedelta(minutes=lead) <= now
            if newer:
                if not reminded:
                    withdraw_reminders(previous)
                if previous.get("status") == "scheduled" and any(previous.get(k) != meeting.get(k) for k in WHERE_AND_WHEN) and starts > now:
                    announce_change(meeting, previous, starts, people, event)
            if starts > now and not reminded:
                key = reminder_key(meeting["meeting_id"], meeting["version"])
                for who, other in both_sides(meeting):
                    context = {"minutes": minutes_before(starts, now, lead), "start": meeting["start"], "table": meeting["table"],
                               "with": people[other].name, "meeting_id": meeting["meeting_id"]}
                    tell(meeting["meet_id"], people[who], "meeting_reminder", context, _source(event), at=starts - timedelta(minutes=lead), schedule_key=key)
            kept = previous.get(REMINDERS_VERSION, previous.get("version", 0)) if reminded else meeting["version"]
            meetings.save({**meeting, "scheduled_event": {"id": event.id, "correlation_id": event.correlation_id}, REMINDERS_VERSION: kept})
            release(pair_key(meeting["meet_id"], meeting["seller_id"], meeting["buyer_id"]))
        cancelled_since = previous is not None and previous.get("version", 0) > meeting["version"] and previous.get("status") == "cancelled"
        if (meeting["version"] == 1 and not cancelled_since and publications.first(meeting["meet_id"])
                and not publications.includes(meeting["meet_id"], meeting["seller_id"], meeting["buyer_id"])):
            announce("meeting_added", meeting, people, _source(event))

    def on_meeting_cancelled(event: Event, part: dict[str, Any] | None = None) -> None:
        """Tell both sides, with why when the event says (``cancel_reason``; events published
        before it was added say nothing), and withdraw the reminders. Waits for what a
        scheduling of the same meeting waits for, so it never overtakes one that is parked."""
        data = contracts.read_data(event)
        meeting = {**data, "day": str(data["day"])}
        people = gather(event, [meeting["seller_id"], meeting["buyer_id"]], meet_id=meeting["meet_id"])
        if people is None:
            return
        previous = meetings.get(meeting["meeting_id"])
        if previous and previous.get("version", 0) > meeting["version"]:
            return
        if previous and previous.get("version", 0) < meeting["version"]:
            withdraw_reminders(previous)
        for who, other in both_sides(meeting):
            context = {"day": meeting["day"], "start": meeting["start"], "table": meeting["table"], "with": people[other].name,
                       "cancel_reason": meeting["cancel_reason"]}
            tell(meeting["meet_id"], people[who], "meeting_cancelled", context, _source(event))
        meetings.save(meeting)
        release(pair_key(meeting["meet_id"], meeting["seller_id"], meeting["buyer_id"]))

    def on_schedule_published(event: Event, part: dict[str, Any] | None = None) -> None:
        """One message per person listing all their meetings of the publication, once (a
        calendar file by email), each waiting until its meetings, people and the meet are
        known. The first publication of a meet decides which meetings are additions:
        those saved before it arrived and not in it (nor cancelled since) are announced now.
        A later publication (a re-draft published) is sent only to the people with a
        meeting the first did not hold (``with_news``)."""
        data = contracts.read_data(event)
        meet_id = data["meet_id"]
        if part is not None:
            schedule_message(event, data, part["person"], [tuple(p.split("|")) for p in part["pairs"]])
            return
        sellers = data["sellers"] if data.get("sellers") is not None else sellers_of(meetings.of_meet(meet_id))
        first = publications.record(meet_id, event.id, sellers)
        saved = {(m["seller_id"], m["buyer_id"]): m for m in meetings.all_of_meet(meet_id)}
        cache: dict[str, Contact] = {}
        if first:
            published = {pair for pairs in pairs_by_person(sellers).values() for pair in pairs}
            for pair, meeting in sorted(saved.items()):
                if pair not in published and meeting.get("scheduled_event") and meeting.get("status") != "cancelled":
                    people = {p: cache.get(p) or contacts.get(p) for p in pair}
                    if all(people.values()):
                        scheduled = meeting["scheduled_event"]
                        announce("meeting_added", meeting, people, (scheduled["id"], scheduled.get("correlation_id")))
        meet_name = meet_names.name(meet_id)
        told = pairs_by_person(sellers)
        if not first:
            told = with_news(told, publications.first_pairs(meet_id, (s["seller_id"] for s in sellers)))
        for person, pairs in told.items():
            schedule_message(event, data, person, pairs, saved, cache, meet_name)

    def schedule_message(event: Event, data: dict[str, Any], person: str, pairs: list[Pair], saved: dict[Pair, dict[str, Any]] | None = None,
                         cache: dict[str, Contact] | None = None, meet_name: str | None = None) -> None:
        """``person``'s schedule message, or its part parked until the meet, each meeting
        of ``pairs`` and everyone named is known. A meeting already cancelled when the
        message is written is left out (its cancellation was told on its own): nobody is
        sent a time they must not keep. Someone whose meetings were all cancelled gets no
        schedule."""
        part = {"person": person, "pairs": [f"{s}|{b}" for s, b in pairs]}
        meet_id = data["meet_id"]
        meet_name = meet_name or meet_names.name(meet_id)
        if meet_name is None:
            wait(meet_key(meet_id), event, part)
            return
        mine = []
        for seller_id, buyer_id in pairs:
            meeting = (saved or {}).get((seller_id, buyer_id)) or meetings.of_pair(meet_id, seller_id, buyer_id)
            if meeting is None:
                wait(pair_key(meet_id, seller_id, buyer_id), event, part)
                return
            mine.append(meeting)
        mine = [m for m in mine if m.get("status") != "cancelled"]
        if not mine:
            return
        people = gather(event, [person, *(other_side((m["seller_id"], m["buyer_id"]), person) for m in mine)], part, cache=cache)
        if people is None:
            return
        lines = schedule_lines(mine, person, {p: c.name for p, c in people.items()}, {p: c.shared_details() for p, c in people.items()})
        context = {"meet_name": meet_name, "meetings": lines, "ics": schedule_ics(person, lines, meet_name, data["published_at"]),
                   "agenda_url": agenda_url(web, meet_id)}
        tell(meet_id, people[person], "schedule_published", context, _source(event))

    def on_meet(event: Event, part: dict[str, Any] | None = None) -> None:
        data = contracts.read_data(event)
        if part is None:
            meet_names.save(data["meet_id"], data["name"], data["version"], data["status"], data["timezone"], data["reminder_minutes"], data["historical"])
            release(meet_key(data["meet_id"]))
        if data["status"] != "completed":
            return
        cache: dict[str, Contact] = {}
        for participant_id in [part["participant"]] if part else tallies.approved(data["meet_id"]):
            people = gather(event, [participant_id], {"participant": participant_id}, cache=cache)
            if people is not None:
                thank(data["meet_id"], people[participant_id], data["name"], event)

    def thank(meet_id: str, contact: Contact, meet_name: str, event: Event) -> None:
        """The thank-you after the meet, keyed by the meet so that the completion and an
        approval arriving after it record one between them."""
        tell(meet_id, contact, "thank_you", {"meet_name": meet_name}, _source(event), schedule_key=thanks_key(meet_id))

    def on_follow_up_due(event: Event, part: dict[str, Any] | None = None) -> None:
        data = contracts.read_data(event)
        people = gather(event, [data["seller_id"], data["buyer_id"]], meet_id=data["meet_id"])
        if people is None:
            return
        for who, other in both_sides(data):
            tell(data["meet_id"], people[who], "follow_up_due", {"days": data["days_after_signing"], "product": data["product"], "with": people[other].name}, _source(event))

    participant_types = (registration.PARTICIPANT_REGISTERED, registration.PARTICIPANT_UPDATED, registration.PARTICIPANT_VERIFIED)
    handlers: dict[str, Handler] = {
        **{t: on_participant for t in participant_types},
        registration.VERIFICATION_REQUESTED: on_verification_requested,
        **{t: on_meet for t in (registration.MEET_CREATED, registration.MEET_UPDATED, registration.MEET_STATUS_CHANGED)},
        **{t: on_participation for t in (*DECISIONS, registration.PARTICIPATION_APPLIED, registration.PARTICIPATION_WITHDRAWN,
                                         registration.PARTICIPATION_AVAILABILITY_CHANGED)},
        matching.LOI_SIGNED: on_loi,
        matching.MATCH_SCORES_UPDATED: on_match_scores,
        **{t: on_request for t in (matching.MEETING_REQUESTED, matching.MEETING_ACCEPTED, matching.MEETING_DECLINED)},
        matching.MEETING_SCHEDULED: on_meeting_scheduled,
        matching.MEETING_CANCELLED: on_meeting_cancelled,
        matching.SCHEDULE_PUBLISHED: on_schedule_published,
        matching.FOLLOW_UP_DUE: on_follow_up_due,
    }
    return handlers


def minutes_before(starts: datetime, now: datetime, lead: int) -> int:
    """The minutes a reminder recorded at ``now`` can say are left before ``starts``: the
    meet's ``lead`` when its time is still to come, else what is left (rounded, at least
    1): a meeting published or moved 10 minutes before it starts is not "in 30 minutes"."""
    if starts - timedelta(minutes=lead) >= now:
        return lead
    return max(1, round((starts - now).total_seconds() / 60))


def _source(event: Event) -> Source:
    return event.id, event.correlation_id


def event_time(event: Event) -> datetime:
    """When the event happened (its ``time``), as an aware UTC datetime."""
    return event.time if event.time.tzinfo else event.time.replace(tzinfo=timezone.utc)


def _starts(meeting: dict[str, Any]) -> datetime:
    """When the meeting starts, in its own zone; PermanentError when its day or start
    cannot be read (the zone itself is checked by the event contract)."""
    try:
        return wall_clock(meeting["day"], meeting["start"], meeting["timezone"])
    except (ValueError, KeyError) as exc:
        raise PermanentError(f"meeting {meeting.get('meeting_id')} cannot be placed in time: {exc}") from exc
