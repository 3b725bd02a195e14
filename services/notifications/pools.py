"""A pool of sending threads per channel, and the channel's rate limit they share.

Work waits in a priority queue (most urgent first, then earliest due), so a verification
code claimed after a batch of digests still goes out first. Threads start as work arrives,
up to ``workers``, and end after ``idle_seconds`` without any, so a pool left behind (a
dispatcher built for one test) holds no thread.
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from typing import Any, Callable

log = logging.getLogger(__name__)


class RateLimit:
    """At most ``per_second`` sends on a channel, smoothed (a token bucket of one second),
    shared by every thread of the channel's pool."""

    def __init__(self, per_second: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / per_second
        self.clock, self.sleep = clock, sleep
        self.next_free = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until this caller's turn: each call takes the next free slot."""
        with self.lock:
            now = self.clock()
            start = max(now, self.next_free)
            self.next_free = start + self.interval
        if start > now:
            self.sleep(start - now)


class ChannelPool:
    """``submit(order, item)`` hands ``item`` to ``work(item)`` on one of ``workers``
    threads, lowest ``order`` first. ``work`` should not raise: if it does, the error is
    logged and the thread goes on with the next item."""

    def __init__(self, name: str, workers: int, work: Callable[[Any], None], idle_seconds: float = 2.0):
        self.name, self.workers, self.work = name, max(1, workers), work
        self.idle_seconds = idle_seconds
        self.waiting: queue.PriorityQueue = queue.PriorityQueue()
        self.sequence = itertools.count()
        self.lock = threading.Lock()
        self.threads = 0

    def submit(self, order: tuple, item: Any) -> None:
        self.waiting.put((order, next(self.sequence), item))
        with self.lock:
            if self.threads < self.workers:
                self.threads += 1
                threading.Thread(target=self._serve, name=f"send-{self.name}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                _, _, item = self.waiting.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self.lock:
                    if self.waiting.empty():
                        self.threads -= 1
                        return
                continue
            try:
                self.work(item)
            except Exception:
                log.exception("pool work failed", extra={"pool": self.name})
