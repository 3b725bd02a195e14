"""Running a read-decide-write again when its write lost to a concurrent one.

Every write here is conditional on the version it read (compare-and-set). When the
caller made the request on no version of their own (no If-Match), a lost race is the
server's to settle: read again, decide again, write again. A change that the concurrent
request already made is then found made (the same decision is answered unchanged).
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")
RUNS = 10
"""Each run lost means another writer's run won (and that writer is done), so ``RUNS``
writers at once on one record all get through."""


def again_while_raced(action: Callable[[], T], raced: type[BaseException] | tuple[type[BaseException], ...], runs: int = RUNS) -> T:
    """``action()``, run again while it raises ``raced`` (its conditional write lost), up to
    ``runs`` runs in all, with a short growing pause between (5, 10, 15... ms); the last
    run's ``raced`` propagates. ``action`` must read what it decides on afresh each run."""
    for run in range(1, runs):
        try:
            return action()
        except raced:
            time.sleep(0.005 * run)
    return action()
