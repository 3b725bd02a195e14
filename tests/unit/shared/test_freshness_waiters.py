"""A freshness wait holds one of the API's threads, so each process lets at most
``max_waiters`` requests wait at once; another is answered at once, marked busy, and the
events it asks about are still looked up (``shared/freshness.py``)."""
import threading

import mongomock

from shared.consumer import PROCESSED
from shared.freshness import Freshness


def freshness(max_waiters: int) -> Freshness:
    return Freshness(mongomock.MongoClient()["matching"], "127.0.0.1:1", "", "matching", ["registration.events"], max_waiters=max_waiters)


def test_a_request_beyond_the_waiters_allowed_answers_at_once_marked_busy():
    fresh = freshness(max_waiters=1)
    holding, released = threading.Event(), threading.Event()

    def held_sleep(_seconds):
        holding.set()
        released.wait(5)

    answers = {}
    waiter = threading.Thread(target=lambda: answers.setdefault("first", fresh.seen(["e1"], wait_seconds=10, sleep=held_sleep)))
    waiter.start()
    assert holding.wait(5)
    second = fresh.seen(["e1"], wait_seconds=10, sleep=lambda _: (_ for _ in ()).throw(AssertionError("the second request waited")))
    assert second == {"seen": [], "missing": ["e1"], "up_to_date": False, "busy": True}

    fresh.db[PROCESSED].insert_one({"_id": "matching:e1"})
    released.set()
    waiter.join(5)
    assert answers["first"] == {"seen": ["e1"], "missing": [], "up_to_date": True, "busy": False}
    assert fresh.seen(["e1", "e2"], wait_seconds=0)["busy"] is False, "the place is free again, and no wait was asked"


def test_events_already_handled_need_no_wait_and_are_never_busy():
    fresh = freshness(max_waiters=0)
    fresh.db[PROCESSED].insert_one({"_id": "matching:e1"})
    assert fresh.seen(["e1", "e1"], wait_seconds=10) == {"seen": ["e1"], "missing": [], "up_to_date": True, "busy": False}
    assert fresh.seen(["e1", "e2"], wait_seconds=10)["busy"] is True, "with no waiters allowed, a wait is never held"
