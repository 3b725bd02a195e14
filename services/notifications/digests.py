"""Organisers' digests: daily counts while registration is open, results once a meet is over.

Each digest has a deterministic source id (meet and day, or meet and "results"), so running
the job again, or in two processes, records each digest once. Recipients are the addresses
in ``BSM_ORGANISER_EMAILS``. Only the meets that still need a digest are read
(``MeetNames.awaiting_digests``); a completed meet leaves that list once its results are
recorded, and a historical meet (recorded after it happened) is never on it.

A meet's results are recorded once, so they wait until what happened before the meet was
completed has been heard of (``results_ready``): registration's completion and matching's
LoIs travel on different topics, and an LoI recorded just before completion may arrive
after it. The worker waits ``RESULTS_SETTLE`` after the completion was heard of, and
then until the consumer has handled everything matching published (its lag on
matching's topic is 0).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Callable

from services.notifications.domain.notifications import Notification
from services.notifications.store import NotificationStore
from services.notifications.views import MeetNames, Tallies


RESULTS_SETTLE = timedelta(seconds=10)

Ready = Callable[[dict[str, Any]], bool]


def record_digests(store: NotificationStore, meets: MeetNames, tallies: Tallies, organisers: list[str], today: date,
                   results_ready: Ready | None = None) -> int:
    """Record today's digest of each meet open for registration and the results of each
    completed meet that ``results_ready`` (None: every one) says may be told now; the
    number of notifications recorded."""
    recorded = 0
    for meet in meets.awaiting_digests():
        daily = meet["status"] == "registration_open"
        if not daily and results_ready is not None and not results_ready(meet):
            continue
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


def results_ready(now: datetime, caught_up: Callable[[], bool], settle: timedelta = RESULTS_SETTLE) -> Ready:
    """Whether a completed meet's results may be recorded at ``now``: its completion was
    heard of at least ``settle`` ago (or before the time was kept) and ``caught_up()``
    (asked once, only for a meet past its settle time) says nothing published before is
    still to be handled."""
    answer: list[bool] = []

    def ready(meet: dict[str, Any]) -> bool:
        heard = meet.get("completed_at")
        if heard is not None and (heard if heard.tzinfo else heard.replace(tzinfo=now.tzinfo)) + settle > now:
            return False
        if not answer:
            answer.append(caught_up())
        return answer[0]

    return ready
