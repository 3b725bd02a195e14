"""Leases on the real FerretDB: one holder at a time, a dead holder's lease taken over once."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from shared.leases import Busy, Leases
from shared.mongo import connect

pytestmark = pytest.mark.stack


@pytest.fixture
def db(settings_for):
    return connect(settings_for("registration"))


def test_a_lease_has_one_holder_until_it_is_given_back(db):
    leases = Leases(db)
    token = leases.take("application:m:s")
    assert token and leases.take("application:m:s") is None
    assert leases.take("application:m:other")
    leases.give_back("application:m:s", "not the holder")
    assert leases.take("application:m:s") is None
    leases.give_back("application:m:s", token)
    assert leases.take("application:m:s")


def test_a_lease_run_out_is_taken_over_by_one_of_many(db):
    now = [datetime(2027, 7, 30, 10, tzinfo=timezone.utc)]
    leases = Leases(db, seconds=30, clock=lambda: now[0])
    dead = leases.take("k")
    now[0] += timedelta(seconds=29)
    assert leases.take("k") is None
    now[0] += timedelta(seconds=2)
    won = []
    threads = [threading.Thread(target=lambda: won.append(leases.take("k"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([t for t in won if t]) == 1
    leases.give_back("k", dead)
    assert leases.take("k") is None, "the dead holder's token no longer gives it back"


def test_held_waits_for_the_holder_and_says_busy_past_the_wait(db):
    leases = Leases(db)
    order = []
    with leases.held("k"):
        with pytest.raises(Busy):
            with leases.held("k", wait_seconds=0.1):
                order.append("never")
        late = threading.Thread(target=lambda: _hold(leases, order))
        late.start()
        order.append("first")
    late.join()
    assert order == ["first", "second"]
    with leases.held("k", wait_seconds=0):
        pass


def _hold(leases: Leases, order: list[str]) -> None:
    with leases.held("k", wait_seconds=5):
        order.append("second")
