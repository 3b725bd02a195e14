"""Sends due notifications through their channels, retrying with backoff.

Any number of dispatcher processes can run: each notification is claimed with a lease
(``NotificationStore.claim_due``), so it is sent by one of them at a time.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict
from datetime import datetime, timedelta, timezone

from shared import correlation, metrics

from services.notifications.channels import Channel, DeliveryError, UndeliverableError
from services.notifications.domain.notifications import Notification, retry_delay
from services.notifications.messages import notification_outcome
from services.notifications.rendering import Renderer
from services.notifications.store import NotificationStore

log = logging.getLogger(__name__)


class RateLimit:
    """At most ``per_second`` sends on a channel, smoothed (a token bucket of one second)."""

    def __init__(self, per_second: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / per_second
        self.clock, self.sleep = clock, sleep
        self.next_free = 0.0

    def wait(self) -> None:
        now = self.clock()
        if now < self.next_free:
            self.sleep(self.next_free - now)
            now = self.next_free
        self.next_free = now + self.interval


class Dispatcher:
    def __init__(
        self,
        store: NotificationStore,
        renderer: Renderer,
        channels: dict[str, Channel],
        max_attempts: int = 8,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 10,
        rate_limits: dict[str, RateLimit] | None = None,
    ):
        self.store, self.renderer, self.channels = store, renderer, channels
        self.max_attempts, self.lease, self.batch = max_attempts, lease, batch
        self.rate_limits = rate_limits or {}
        self.claimed: list[Notification] = []

    def dispatch_once(self) -> bool:
        """Send one due notification; False when none is due."""
        now = datetime.now(timezone.utc)
        if not self.claimed:
            self.claimed = self.store.claim_due(now, self.lease, self.batch)
        if not self.claimed:
            return False
        notification = self.claimed.pop(0)
        with correlation.correlated(notification.correlation_id, notification.source_event_id):
            self._deliver(notification, now)
        return True

    def run(self, stop: threading.Event, idle_seconds: float = 0.3) -> None:
        while not stop.is_set():
            if not self.dispatch_once():
                stop.wait(idle_seconds)

    def _deliver(self, notification: Notification, now: datetime) -> None:
        describe = {"notification_id": notification.id, "channel": notification.channel, "kind": notification.kind}
        try:
            rendered = self.renderer.render(notification.kind, notification.language, notification.context)
            channel = self.channels.get(notification.channel)
            if channel is None:
                raise UndeliverableError(f"no channel {notification.channel!r} is configured")
            if notification.channel in self.rate_limits:
                self.rate_limits[notification.channel].wait()
            channel.send(notification, rendered)
        except (UndeliverableError, LookupError) as exc:
            self._fail(notification, str(exc), None, describe)
        except DeliveryError as exc:
            retry_at = now + retry_delay(notification.attempts) if notification.attempts < self.max_attempts else None
            self._fail(notification, str(exc), retry_at, describe)
        else:
            metrics.NOTIFICATIONS.labels(notification.channel, notification.kind, "sent").inc()
            self.store.mark_sent(notification, asdict(rendered), [notification_outcome(notification, sent=True)])
            log.info("notification sent", extra={**describe, "attempts": notification.attempts})

    def _fail(self, notification: Notification, error: str, retry_at: datetime | None, describe: dict) -> None:
        metrics.NOTIFICATIONS.labels(notification.channel, notification.kind, "retrying" if retry_at else "dead").inc()
        events = [] if retry_at else [notification_outcome(notification, sent=False, error=error)]
        self.store.mark_failed(notification, error, retry_at, events)
        level = logging.WARNING if retry_at else logging.ERROR
        log.log(level, "notification not sent", extra={**describe, "error": error, "retry_at": retry_at})
