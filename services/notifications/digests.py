"""Organisers' digests: daily counts while registration is open, results once a meet is over.

Each digest has a deterministic source id (meet and day, or meet and "results"), so running
the job again, or in two processes, records each digest once. Recipients are the addresses
in ``BSM_ORGANISER_EMAILS``.
"""
from __future__ import annotations

from datetime import date

from services.notifications.domain.notifications import Notification
from services.notifications.store import MeetNames, NotificationStore, Tallies


def record_digests(store: NotificationStore, meets: MeetNames, tallies: Tallies, organisers: list[str], today: date) -> int:
    recorded = 0
    for meet in meets.with_status("registration_open", "completed"):
        daily = meet["status"] == "registration_open"
        source = f"digest:{meet['_id']}:{today.isoformat()}" if daily else f"results:{meet['_id']}"
        context = {"meet_name": meet.get("name") or meet["_id"], "day": today.isoformat(), **tallies.counts(meet["_id"])}
        for address in organisers:
            notification = Notification(
                kind="organiser_digest" if daily else "organiser_results", channel="email", recipient_id=f"organiser:{address}",
                address=address, language="en", context=context, source_event_id=source,
            )
            recorded += store.add(notification)
    return recorded
