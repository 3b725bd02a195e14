"""Organisers' digests: daily counts while registration is open, results once a meet is over.

Each digest has a deterministic source id (meet and day, or meet and "results"), so running
the job again, or in two processes, records each digest once. Recipients are the addresses
in ``BSM_ORGANISER_EMAILS``. Only the meets that still need a digest are read
(``MeetNames.awaiting_digests``); a completed meet leaves that list once its results are
recorded, and a historical meet (recorded after it happened) is never on it.
"""
from __future__ import annotations

from datetime import date

from services.notifications.domain.notifications import Notification
from services.notifications.store import NotificationStore
from services.notifications.views import MeetNames, Tallies


def record_digests(store: NotificationStore, meets: MeetNames, tallies: Tallies, organisers: list[str], today: date) -> int:
    recorded = 0
    for meet in meets.awaiting_digests():
        daily = meet["status"] == "registration_open"
        source = f"digest:{meet['_id']}:{today.isoformat()}" if daily else f"results:{meet['_id']}"
        context = {"meet_name": meet["name"], "day": today.isoformat(), **tallies.counts(meet["_id"])}
        for address in organisers:
            notification = Notification(
                kind="organiser_digest" if daily else "organiser_results", channel="email", recipient_id=f"organiser:{address}",
                address=address, language="en", context=context, source_event_id=source,
            )
            recorded += store.add(notification)
        if not daily and organisers:
            meets.results_sent(meet["_id"])
    return recorded
