"""Which due notifications go first, and the per-channel pools that send them."""
import threading
import time
from datetime import datetime, timedelta, timezone

from services.notifications.domain.priority import BULK, NORMAL, URGENT, Due, pick, priority
from services.notifications.pools import ChannelPool, RateLimit

NOW = datetime(2030, 7, 30, 9, 0, tzinfo=timezone.utc)


def due(id_, kind, channel="email", minutes_ago=0):
    return Due(id_, channel, kind, NOW - timedelta(minutes=minutes_ago))


def test_time_critical_kinds_come_before_bulk_ones():
    for kind in ("verification_code", "meeting_reminder", "meeting_added", "meeting_cancelled", "schedule_published"):
        assert priority(kind) == URGENT, kind
    for kind in ("follow_up_due", "organiser_digest", "organiser_results", "match_suggestions", "thank_you"):
        assert priority(kind) == BULK, kind
    assert priority("registration_received") == NORMAL


def test_a_reminder_due_later_still_goes_before_a_digest_due_earlier():
    entries = [due("digest", "organiser_digest", minutes_ago=60), due("thanks", "thank_you", minutes_ago=30),
               due("reminder", "meeting_reminder", minutes_ago=1), due("welcome", "registration_received", minutes_ago=5)]
    assert [d.id for d in pick(entries)] == ["reminder", "welcome", "digest", "thanks"]


def test_within_a_priority_the_earliest_due_goes_first():
    entries = [due("late", "follow_up_due", minutes_ago=1), due("early", "follow_up_due", minutes_ago=9)]
    assert [d.id for d in pick(entries)] == ["early", "late"]


def test_each_channel_takes_no_more_than_its_pool_has_room_for():
    entries = [due(f"e{n}", "registration_received", "email", n) for n in range(5)] + [due("s1", "verification_code", "sms")]
    chosen = pick(entries, free={"email": 2, "sms": 3})
    assert [d.id for d in chosen] == ["s1", "e4", "e3"]
    assert pick(entries, free={"sms": 3}) == [entries[-1]]  # a channel without a pool gets nothing
    assert len(pick(entries, limit=4)) == 4


def test_a_pool_sends_the_most_urgent_waiting_work_first():
    gate, done = threading.Event(), []
    pool = ChannelPool("email", 1, lambda item: (gate.wait(5), done.append(item)))
    pool.submit((NORMAL, NOW), "first, already being sent")
    time.sleep(0.05)
    pool.submit((BULK, NOW - timedelta(hours=1)), "digest")
    pool.submit((NORMAL, NOW), "welcome")
    pool.submit((URGENT, NOW), "code")
    gate.set()
    deadline = time.monotonic() + 5
    while len(done) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert done == ["first, already being sent", "code", "welcome", "digest"]


def test_a_pool_sends_concurrently_up_to_its_workers_and_its_threads_end_when_idle():
    lock, running, most = threading.Lock(), [0], [0]

    def work(_):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    pool = ChannelPool("sms", 3, work, idle_seconds=0.1)
    for n in range(9):
        pool.submit((NORMAL, NOW), n)
    deadline = time.monotonic() + 5
    while (pool.threads or not pool.waiting.empty()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert most[0] == 3
    assert pool.threads == 0


def test_a_rate_limit_shared_by_threads_gives_each_call_its_own_slot():
    slept, lock = [], threading.Lock()

    def sleep(seconds):
        with lock:
            slept.append(round(seconds, 6))

    limit = RateLimit(4, clock=lambda: 100.0, sleep=sleep)
    threads = [threading.Thread(target=limit.wait) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(slept) == [0.25, 0.5, 0.75]  # the first call goes at once


class FakeQueue:
    def __init__(self, claims):
        self.claims = claims

    def scan(self, now, grace):
        return [{"_id": c.id} for c in self.claims]


class FakeStore:
    """Hands out prepared claims as ``free`` allows and keeps what is recorded."""

    def __init__(self, claims):
        self.queue = FakeQueue(list(claims))
        self.recorded, self.handed_out = [], {}
        self.asked = []

    def tidy_queue(self, now, lease):
        pass

    def get(self, notification_id):
        return stored(self.handed_out[notification_id])

    def claim_due(self, now, lease, limit=None, free=None, candidates=None):
        self.asked.append(dict(free))
        chosen = {d.id for d in pick([Due(c.id, c.channel, c.kind, c.due_at) for c in self.queue.claims], free, limit)}
        taken = [c for c in self.queue.claims if c.id in chosen]
        self.queue.claims = [c for c in self.queue.claims if c.id not in chosen]
        self.handed_out.update((c.id, c) for c in taken)
        return taken

    def record(self, outcomes):
        self.recorded.extend(outcomes)


def claim(n, channel="email", kind="registration_received"):
    from services.notifications.queue import Claim

    return Claim(f"n{n}", channel, kind, NOW, NOW, f"n{n}#1", 1)


def stored(claim):
    """The notification a claim made by ``claim`` stands for, as the store gives it back."""
    from services.notifications.store import notification_from

    n = claim.id[1:]
    return notification_from({"id": claim.id, "kind": claim.kind, "channel": claim.channel, "recipient_id": f"p{n}", "address": f"p{n}@example.in",
                              "language": "en", "context": {"name": f"P{n}", "role": "buyer"}, "source_event_id": f"e{n}"})


def test_the_dispatcher_sends_a_channels_work_concurrently_and_records_every_outcome():
    from services.notifications.dispatcher import Dispatcher
    from services.notifications.rendering import Renderer

    together = threading.Barrier(3, timeout=5)

    class Together:
        name = "email"

        def send(self, notification, rendered):
            together.wait()  # only passes when three sends are in progress at once

    store = FakeStore([claim(n) for n in range(3)])
    dispatcher = Dispatcher(store, Renderer(), {"email": Together()}, workers={"email": 3})
    assert dispatcher.dispatch_once() is True
    assert sorted((o.claim.id, o.result) for o in store.recorded) == [("n0", "sent"), ("n1", "sent"), ("n2", "sent")]
    assert dispatcher.dispatch_once() is False


def test_the_dispatcher_claims_no_more_than_each_pool_can_hold():
    from services.notifications.dispatcher import QUEUED_PER_WORKER, Dispatcher
    from services.notifications.rendering import Renderer

    class Quiet:
        def send(self, notification, rendered):
            pass

    store = FakeStore([claim(n) for n in range(50)] + [claim(100 + n, "sms", "verification_code") for n in range(3)])
    dispatcher = Dispatcher(store, Renderer(), {"email": Quiet(), "sms": Quiet()}, workers={"email": 2, "sms": 1})
    dispatcher.dispatch_once()
    assert store.asked[0]["email"] == 2 * QUEUED_PER_WORKER and store.asked[0]["sms"] == QUEUED_PER_WORKER
    assert len(store.recorded) == 2 * QUEUED_PER_WORKER + 3
