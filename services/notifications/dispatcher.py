"""Sends due notifications through their channels, concurrently, retrying with backoff.

The coordinator claims due queue entries (``NotificationStore.claim_due``: most urgent
first, as many as each channel's pool has room for) and hands them to the channel's pool;
pool threads check the notification is still to be sent, render and send it within the
channel's rate limit, and report an ``Outcome``; the coordinator records outcomes in
batches. Any number of dispatcher processes can run: each entry is claimed with a lease,
so one of them sends it at a time.

Leases are short (``LEASE``, 20 s) and renewed while their claims are in flight, so the
claims of a dispatcher that died are taken over within ``TAKEOVER`` (60 s) by any other,
whatever its backlog: every scan of the due-queue looks at every lease.

One message never stops the dispatcher: a notification that cannot be rendered or built,
or that its channel refuses for good, is recorded dead with the reason at once (a retry
would meet the same data); failures worth retrying (the channel away, Mongo away) are
retried with backoff; an outcome that cannot be recorded is recorded alone, or as dead
with the reason, so the rest of its batch is still recorded.

A message a channel accepted is written to the dispatcher's ``SentJournal`` before its
outcome is queued, and forgotten once recorded: a dispatcher killed in between, or whose
recording failed for longer than a lease, does not cause it to be sent twice: the next
dispatcher to start on the machine (or this one, rebuilt) records it first (``recover``).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import asdict, fields
from datetime import datetime, timedelta, timezone
from typing import Callable

from bson.errors import BSONError
from pymongo.errors import BulkWriteError, PyMongoError, WriteError

from shared import correlation, metrics
from shared.one_time_codes import has_sealed

from services.notifications.channels import Channel, DeliveryError, UndeliverableError
from services.notifications.domain.contacts import CHANNELS
from services.notifications.domain.notifications import PENDING, Notification, retry_delay
from services.notifications.domain.priority import priority
from services.notifications.messages import notification_outcome
from services.notifications.pools import ChannelPool, RateLimit
from services.notifications.queue import Claim
from services.notifications.rendering import Renderer
from services.notifications.sent_journal import SentJournal
from services.notifications.store import DEAD_OUTCOME, DROP, RETRY, SENT_OUTCOME, NotificationStore, Outcome, notification_from

__all__ = ["Dispatcher", "RateLimit", "LEASE", "TAKEOVER"]
log = logging.getLogger(__name__)
WORKERS = {"email": 8, "sms": 4, "whatsapp": 4, "webhook": 4, "inbox": 2}
QUEUED_PER_WORKER = 8
LEASE = timedelta(seconds=20)
TAKEOVER = timedelta(seconds=60)
"""A dead dispatcher's claims are claimed again by another within this: ``LEASE`` plus
the time between two scans of the due-queue (a second) plus a claiming round."""
CLAIM_FIELDS = {f.name for f in fields(Claim)}
"""What a journal line's claim keeps (lines written by earlier versions held more)."""
RETRIED_FAILURES = (DeliveryError, PyMongoError, OSError)
"""Failures worth another attempt later; any other exception while sending is permanent."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Dispatcher:
    def __init__(
        self,
        store: NotificationStore,
        renderer: Renderer,
        channels: dict[str, Channel],
        max_attempts: int = 8,
        lease: timedelta = LEASE,
        rate_limits: dict[str, RateLimit] | None = None,
        workers: dict[str, int] | None = None,
        grace: timedelta = timedelta(seconds=60),
        promote_every: float = 30.0,
        rescan_every: float = 1.0,
        record_batch: int = 64,
        renew_every: float | None = None,
        clock: Callable[[], datetime] = _utc_now,
        journal: SentJournal | None = None,
    ):
        """``workers``: threads per channel (default ``WORKERS``); ``grace``: how long a queue
        entry may wait for its notification to be written before it is read (and dropped if
        still missing); the due entries read at one scan are claimed from for up to
        ``rescan_every`` seconds; ``lease``: how long a claim is held without renewal;
        ``renew_every`` (seconds, default a sixth of ``lease``): how often the leases of
        claims in flight are looked at, each renewed once a third of it has passed;
        ``clock``: the current time (aware UTC), for leases and due times; ``journal``:
        where accepted messages are kept until recorded (none: a kill between a send and
        its record sends that message again)."""
        self.store, self.renderer, self.channels, self.clock, self.journal = store, renderer, channels, clock, journal
        self.max_attempts, self.lease, self.grace = max_attempts, lease, grace
        self.rate_limits = rate_limits or {}
        threads = {name: (workers or {}).get(name, WORKERS.get(name, 4)) for name in (*CHANNELS, *channels)}
        self.pools = {name: ChannelPool(name, n, self._work) for name, n in threads.items()}
        self.capacity = {name: n * QUEUED_PER_WORKER for name, n in threads.items()}
        self.in_flight = dict.fromkeys(threads, 0)
        self.outcomes: queue.Queue[Outcome] = queue.Queue()
        self.changed = threading.Condition()  # guards in_flight and saturated
        self.promote_every, self.promoted_at = promote_every, float("-inf")
        self.record_batch = record_batch
        self.saturated: set[str] = set()
        self.candidates: list[dict] = []
        self.rescan_every, self.scanned_at = rescan_every, float("-inf")
        self.renew_every = renew_every if renew_every is not None else lease.total_seconds() / 6
        self.held: dict[str, datetime] = {}  # lease id -> until, for the claims in flight; guarded by changed
        self.unrecorded: list[Outcome] = []  # outcomes whose recording met Mongo away; guarded by changed

    def dispatch_once(self) -> bool:
        """Claim what is due (as much as the pools take), send it, record every outcome;
        False when nothing was due."""
        self.recover()
        claims = self._claim(rescan=True)
        while self._busy():
            self.renew_leases()
            self._record(self._take_unrecorded() + self._collect(timeout=self.renew_every))
        return bool(claims)

    def run(self, stop: threading.Event, idle_seconds: float = 0.3, until_idle: bool = False) -> None:
        """Dispatch until ``stop`` is set (or, with ``until_idle``, until nothing is due or
        in flight). Claims again once a channel that had more due than it took has room
        for half its capacity, and every ``idle_seconds`` for work on other channels;
        outcomes are recorded meanwhile on a thread of their own, and the leases of claims
        in flight renewed on another. Raises what recording or renewing raised (Mongo
        away), once the claims in flight are settled or abandoned; first, ``recover``."""
        self.recover()
        finished, settled, failures = threading.Event(), threading.Event(), []
        recorder = threading.Thread(target=self._record_until, args=(finished, settled, failures), name="record-outcomes", daemon=True)
        renewer = threading.Thread(target=self._renew_until, args=(settled, failures), name="renew-leases", daemon=True)
        recorder.start()
        renewer.start()
        poll_at = 0.0
        try:
            while not stop.is_set() and not failures:
                with self.changed:
                    if time.monotonic() < poll_at and not self._has_room():
                        self.changed.wait(max(0.0, poll_at - time.monotonic()))
                        continue
                claims = self._claim()
                if until_idle and not claims and not self._busy():
                    return
                poll_at = time.monotonic() + idle_seconds
        finally:
            finished.set()
            recorder.join()
            renewer.join()
            if failures:
                raise failures[0]

    def _record_until(self, finished: threading.Event, settled: threading.Event, failures: list[Exception]) -> None:
        """Record outcomes until the run is over and none is in flight. While Mongo is away
        the outcomes are kept and recorded again (a message that went out must be recorded
        as sent, or another dispatcher would send it again once the lease ran out), and the
        run stops claiming; after ``lease`` of trying they are given up (their leases have
        run out, so others may take them over anyway)."""
        away_since: float | None = None
        backoff = 0.05
        try:
            while not (finished.is_set() and not self._busy()):
                try:
                    self._record(self._take_unrecorded() + self._collect(timeout=0.05))
                    away_since, backoff = None, 0.05
                except Exception as exc:
                    if not failures:
                        failures.append(exc)
                    away_since = away_since or time.monotonic()
                    if time.monotonic() - away_since > self.lease.total_seconds():
                        self._give_up_unrecorded(exc)
                    time.sleep(backoff)
                    backoff = min(2.0, backoff * 2)
        finally:
            settled.set()

    def _take_unrecorded(self) -> list[Outcome]:
        with self.changed:
            taken, self.unrecorded = self.unrecorded, []
        return taken

    def _give_up_unrecorded(self, error: Exception) -> None:
        lost = self._take_unrecorded()
        if lost:
            log.error("outcomes not recorded: the database stayed away longer than a lease; these may be sent again",
                      extra={"notification_ids": [o.claim.id for o in lost], "error": repr(error)})
            self._settled(lost)

    def _renew_until(self, settled: threading.Event, failures: list[Exception]) -> None:
        """Renew the leases of claims in flight until every outcome is recorded (or given up)."""
        while not settled.wait(self.renew_every):
            try:
                self.renew_leases()
            except Exception as exc:  # Mongo away: the run stops claiming; renewal goes on trying
                if not failures:
                    failures.append(exc)

    def renew_leases(self) -> int:
        """Extend by ``lease`` the leases of the claims in flight that have used a third of
        theirs, so no other dispatcher takes them over while this one works on them; how
        many. A lease whose claim was settled meanwhile is gone, and stays gone."""
        now = self.clock()
        with self.changed:
            due = [lease_id for lease_id, until in self.held.items() if until - now <= self.lease * 2 / 3]
        if not due:
            return 0
        until = now + self.lease
        self.store.queue.renew(due, until)
        with self.changed:
            for lease_id in due:
                if lease_id in self.held:
                    self.held[lease_id] = until
        return len(due)

    def recover(self) -> int:
        """Record as sent what the journal's slots hold for dispatchers that died on this
        machine (this one's slot included: what the process that held it before left);
        how many. Raises what recording raises (Mongo away), keeping the lines."""
        if self.journal is None:
            return 0
        recorded = 0
        own = self.journal.held()
        if own:
            self.store.record([self._journalled(entry) for entry in own.values()])
            self.journal.forget(list(own))
            recorded += len(own)
        recorded += self.journal.recover_others(lambda held: self.store.record([self._journalled(e) for e in held.values()]))
        if recorded:
            log.warning("messages sent by a dispatcher that died before recording them, recorded sent", extra={"recorded": recorded})
        return recorded

    def _journalled(self, entry: dict) -> Outcome:
        """The sent outcome a journal entry stands for, under the claim it was sent under."""
        notification = notification_from(entry["notification"])
        claim = Claim(**{name: value for name, value in entry["claim"].items() if name in CLAIM_FIELDS})
        return Outcome(claim, SENT_OUTCOME, notification, entry["rendered"], events=self._events(notification, sent=True))

    def _claim(self, rescan: bool = False) -> list[Claim]:
        now = self.clock()
        if time.monotonic() - self.promoted_at >= self.promote_every:
            self.store.tidy_queue(now, self.lease)
            self.promoted_at = time.monotonic()
        if rescan or not self.candidates or time.monotonic() - self.scanned_at >= self.rescan_every:
            self.candidates, self.scanned_at = self.store.queue.scan(now, self.grace), time.monotonic()
        with self.changed:
            free = {name: self.capacity[name] - self.in_flight[name] for name in self.pools}
        claims = self.store.claim_due(now, self.lease, limit=None, free=free, candidates=self.candidates)
        with self.changed:
            for claim in claims:
                self.in_flight[claim.channel] += 1
                self.held[claim.lease_id] = now + self.lease
            self.saturated = {name for name, n in free.items() if n > 0 and sum(c.channel == name for c in claims) == n}
        for claim in claims:
            self.pools[claim.channel].submit((priority(claim.kind), claim.due_at), claim)
        return claims

    def _has_room(self) -> bool:
        """A channel that took all it could at the last claim has room for half as many again."""
        return any(self.capacity[n] - self.in_flight[n] >= self.capacity[n] // 2 for n in self.saturated)

    def _busy(self) -> bool:
        with self.changed:
            return any(self.in_flight.values())

    def _collect(self, timeout: float | None, linger: float = 0.05) -> list[Outcome]:
        """The outcomes reported so far: waits up to ``timeout`` for the first, then up to
        ``linger`` for more, so they are written in batches."""
        try:
            done = [self.outcomes.get(timeout=timeout)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + linger
        while len(done) < self.record_batch and self._busy_beyond(done):
            try:
                done.append(self.outcomes.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return done

    def _busy_beyond(self, done: list[Outcome]) -> bool:
        with self.changed:
            return sum(self.in_flight.values()) > len(done)

    def _record(self, outcomes: list[Outcome]) -> None:
        """Record a batch; if something in it cannot be recorded (not Mongo being away,
        which is raised), each outcome alone, and one that still cannot as dead with the
        reason, so one message never keeps the others unrecorded."""
        if not outcomes:
            return
        try:
            self.store.record(outcomes)
            self._forget(outcomes)
        except Exception as exc:
            if not _per_message(exc):
                with self.changed:
                    self.unrecorded.extend(outcomes)
                raise
            log.warning("a batch of outcomes could not be recorded; recording each alone", extra={"error": repr(exc)})
            for number, outcome in enumerate(outcomes):
                try:
                    self._record_alone(outcome)
                    self._forget([outcome])
                except Exception:
                    with self.changed:
                        self.unrecorded.extend(outcomes[number:])
                    self._settled(outcomes[:number])
                    raise
        self._settled(outcomes)

    def _forget(self, recorded: list[Outcome]) -> None:
        """Drop recorded outcomes from the journal; a journal that cannot be written is
        logged: its lines are recorded again at the next start, when the notifications, no longer
        pending, are left as they are."""
        if self.journal is None:
            return
        try:
            self.journal.forget([o.claim.id for o in recorded if o.result == SENT_OUTCOME])
        except OSError:
            log.exception("recorded outcomes not forgotten by the journal of sent messages")

    def _settled(self, outcomes: list[Outcome]) -> None:
        with self.changed:
            for outcome in outcomes:
                self.in_flight[outcome.claim.channel] -= 1
                self.held.pop(outcome.claim.lease_id, None)
            self.changed.notify_all()

    def _record_alone(self, outcome: Outcome) -> None:
        try:
            self.store.record([outcome])
            return
        except Exception as exc:
            if not _per_message(exc):
                raise
            error = f"the outcome ({outcome.result}) could not be recorded: {exc!r}"
        log.error("notification outcome not recorded; recording it dead", extra={"notification_id": outcome.claim.id, "error": error})
        try:
            self.store.record([Outcome(outcome.claim, DEAD_OUTCOME, error=error)])
        except Exception as exc:
            if not _per_message(exc):
                raise
            log.exception("notification left to its lease", extra={"notification_id": outcome.claim.id})

    def _work(self, claim: Claim) -> None:
        """On a pool thread: deliver, and report the outcome whatever happens."""
        try:
            outcome = self._deliver(claim)
        except Exception as exc:  # Mongo away reading it: retried like a failed send, never lost
            log.exception("notification not handled", extra={"notification_id": claim.id})
            try:
                outcome = self._failed(claim, None, repr(exc), final=not isinstance(exc, RETRIED_FAILURES))
            except Exception:
                outcome = Outcome(claim, DEAD_OUTCOME, error=repr(exc))
        self.outcomes.put(outcome)

    def _deliver(self, claim: Claim) -> Outcome:
        """Read the stored notification and send it; dropped if it was never written or is
        no longer pending (sent under a claim this one repeats, or withdrawn; see queue.py)."""
        try:
            notification = self.store.get(claim.id)
        except (TypeError, ValueError) as exc:
            return self._failed(claim, None, f"the stored notification cannot be read: {exc!r}", final=True)
        if notification is None or notification.status != PENDING:
            return Outcome(claim, DROP)
        notification.attempts = claim.attempts
        with correlation.correlated(notification.correlation_id, notification.source_event_id):
            return self._send(claim, notification)

    def _send(self, claim: Claim, notification: Notification) -> Outcome:
        """Render and send; whatever goes wrong becomes an outcome (dead unless worth retrying)."""
        describe = {"notification_id": notification.id, "channel": notification.channel, "kind": notification.kind}
        try:
            rendered = self.renderer.render(notification.kind, notification.language, notification.context, notification.channel)
            shown = self.renderer.render_redacted(notification.kind, notification.language, notification.context, notification.channel) if has_sealed(notification.context) else rendered
        except Exception as exc:  # the same data renders the same way next time
            return self._failed(claim, notification, f"cannot be rendered: {_reason(exc)}", final=True)
        try:
            channel = self.channels.get(notification.channel)
            if channel is None:
                raise UndeliverableError(f"no channel {notification.channel!r} is configured")
            if notification.channel in self.rate_limits:
                self.rate_limits[notification.channel].wait()
            channel.send(notification, rendered)
            self._journal(claim, notification, asdict(shown))
        except UndeliverableError as exc:
            return self._failed(claim, notification, str(exc), final=True)
        except RETRIED_FAILURES as exc:
            return self._failed(claim, notification, str(exc) or repr(exc))
        except Exception as exc:  # building the message from this notification's data failed
            log.exception("notification cannot be sent", extra=describe)
            return self._failed(claim, notification, f"cannot be sent: {_reason(exc)}", final=True)
        metrics.NOTIFICATIONS.labels(notification.channel, notification.kind, "sent").inc()
        log.info("notification sent", extra={**describe, "attempts": notification.attempts})
        return Outcome(claim, SENT_OUTCOME, notification, asdict(shown), events=self._events(notification, sent=True))

    def _journal(self, claim: Claim, notification: Notification, shown: dict) -> None:
        """Keep what was sent in the journal; a journal that cannot be written is logged,
        and the message recorded as it would be without one."""
        if self.journal is None:
            return
        try:
            self.journal.add(claim.id, {"claim": asdict(claim), "notification": asdict(notification), "rendered": shown})
        except Exception:
            log.exception("sent message not journalled; a kill before it is recorded would send it again", extra={"notification_id": claim.id})

    def _events(self, notification: Notification, sent: bool, error: str | None = None) -> list:
        """The outcome's event, or none if it cannot be made from this notification (logged):
        a message sent is recorded sent whatever its event."""
        try:
            return [notification_outcome(notification, sent=sent, error=error)]
        except Exception:
            log.exception("no outcome event for this notification", extra={"notification_id": notification.id})
            return []

    def _failed(self, claim: Claim, notification: Notification | None, error: str, final: bool = False) -> Outcome:
        now = self.clock()
        retry = not final and claim.attempts < self.max_attempts
        kind = notification.kind if notification else claim.kind
        metrics.NOTIFICATIONS.labels(claim.channel, kind, "retrying" if retry else "dead").inc()
        log.log(logging.WARNING if retry else logging.ERROR, "notification not sent",
                extra={"notification_id": claim.id, "channel": claim.channel, "kind": kind, "error": error})
        if retry:
            return Outcome(claim, RETRY, notification, error=error, at=now + retry_delay(claim.attempts))
        events = self._events(notification, sent=False, error=error) if notification else []
        return Outcome(claim, DEAD_OUTCOME, notification, error=error, events=events)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _per_message(exc: Exception) -> bool:
    """An exception that comes from what is being written (a value BSON cannot hold, a
    document refused), not from Mongo being away."""
    if isinstance(exc, (BSONError, WriteError)):
        return True
    if isinstance(exc, BulkWriteError):
        return bool(exc.details.get("writeErrors")) and not exc.details.get("writeConcernErrors")
    return not isinstance(exc, PyMongoError)
