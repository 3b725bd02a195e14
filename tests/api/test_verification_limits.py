"""Codes cannot be asked for, nor guessed, without bound: per participant and per client
address, per hour, and per day for the SMS spend; a new code does not reset the attempts.
The registration app in-process on the real FerretDB, behind the write guard, with the
limiter's clock fixed by the test."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from shared.rate_limits import DAY, HOUR, Limit, RateLimited, RateLimiter
from tests.api.conftest import SELLER, code_sent, outbox_events, register

pytestmark = pytest.mark.stack

WITHOUT_GSTIN = {k: v for k, v in SELLER.items() if k != "gstin"}
START = datetime(2027, 7, 30, 10, 0, 20, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app):
    clock = Clock()
    app.extensions["registration"].verification.limiter.clock = clock
    return clock


def ask(client, participant_id, address="203.0.113.7"):
    return client.post(f"/v1/participants/{participant_id}/verification-code", json={}, environ_base={"REMOTE_ADDR": address})


def guess(client, participant_id, code, address="203.0.113.7"):
    return client.post(f"/v1/participants/{participant_id}/verify", json={"code": code}, environ_base={"REMOTE_ADDR": address})


def latest_code(db, participant_id):
    return [code_sent(e) for e in outbox_events(db, "participants", participant_id) if "sealed_code" in e["data"]][-1]


def test_the_sixth_code_request_in_an_hour_is_a_429_with_retry_after_and_the_next_hour_is_open(client, db, clock):
    seller = register(client)
    assert [ask(client, seller["id"]).status_code for _ in range(5)] == [202] * 5
    sixth = ask(client, seller["id"])
    assert sixth.status_code == 429 and sixth.mimetype == "application/problem+json"
    assert sixth.headers["Retry-After"] == str(3600 - 20) and sixth.get_json()["retry_after"] == 3580
    assert len([e for e in outbox_events(db, "participants", seller["id"]) if "sealed_code" in e["data"]]) == 1 + 5  # no SMS for the 6th
    clock.now += timedelta(seconds=3580)
    assert ask(client, seller["id"]).status_code == 202


def test_codes_per_participant_per_day_bound_the_sms_spend(client, clock):
    seller = register(client)
    answers = []
    for hour in range(3):
        clock.now = START + timedelta(hours=hour)
        answers += [ask(client, seller["id"]).status_code for _ in range(5)]
    assert answers == [202] * 10 + [429] * 5
    clock.now = START.replace(hour=0, minute=0, second=0) + timedelta(days=1)
    assert ask(client, seller["id"]).status_code == 202


def test_one_address_cannot_ask_codes_for_many_participants(client, clock):
    sellers = [register(client, WITHOUT_GSTIN, phone=f"+9198765432{i:02d}") for i in range(5)]
    answers = [ask(client, s["id"]).status_code for s in sellers for _ in range(4)]
    assert answers == [202] * 20
    assert ask(client, sellers[0]["id"]).status_code == 429
    assert ask(client, sellers[0]["id"], address="198.51.100.9").status_code == 202


def test_a_new_code_does_not_reset_the_hourly_cap_on_attempts(client, db, clock):
    seller = register(client)
    for _ in range(2):
        assert [guess(client, seller["id"], "000000").status_code for _ in range(5)] == [422] * 5
        assert ask(client, seller["id"]).status_code == 202
    right = guess(client, seller["id"], latest_code(db, seller["id"]))
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0 and "token" not in right.get_json()
    clock.now += HOUR
    assert guess(client, seller["id"], latest_code(db, seller["id"])).status_code == 200


def test_one_address_cannot_guess_across_participants(client, clock):
    sellers = [register(client, WITHOUT_GSTIN, phone=f"+9198765431{i:02d}") for i in range(4)]
    answers = [guess(client, s["id"], "000000").status_code for s in sellers for _ in range(8)]
    assert answers[:30] == [422] * 30 and answers[30:] == [429, 429]


def test_concurrent_requests_never_exceed_the_limit(client, db, clock):
    seller = register(client)
    answers, start = [], threading.Barrier(12)

    def request_code():
        start.wait()
        answers.append(ask(client, seller["id"]).status_code)

    threads = [threading.Thread(target=request_code) for _ in range(12)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(answers) == [202] * 5 + [429] * 7


def test_the_limiter_counts_exactly_under_concurrency(db):
    limiter, limit = RateLimiter(db["rate_limits"], Clock()), Limit("test", 7, HOUR)
    taken, start = [], threading.Barrier(16)

    def take():
        start.wait()
        try:
            limiter.take(limit, "k")
            taken.append(1)
        except RateLimited:
            pass

    threads = [threading.Thread(target=take) for _ in range(16)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(taken) == 7 and db["rate_limits"].find_one({"_id": "test:k"})["n"] == 7


def test_the_limits_are_configurable(settings_for):
    from services.registration.app import create_app

    app = create_app(settings_for("registration", BSM_CODE_REQUESTS_PER_HOUR="2", BSM_VERIFY_ATTEMPTS_PER_HOUR="3"))
    limits = app.extensions["registration"].verification.limits
    assert (limits.codes_per_participant.count, limits.attempts_per_participant.count, limits.codes_per_address.count) == (2, 3, 20)
    client = app.test_client()
    seller = client.post("/v1/sellers", json=SELLER).get_json()
    assert [ask(client, seller["id"]).status_code for _ in range(3)] == [202, 202, 429]


def test_expired_counters_are_swept_so_addresses_do_not_pile_up(db):
    """One counter per client address would grow with every address that ever called:
    counters whose window ended over a day ago go, live ones stay, and a limiter sweeps
    on its own once per ``sweep_every``."""
    clock = Clock()
    limiter = RateLimiter(db["rate_limits"], clock, sweep_every=HOUR, background=False)
    hourly, daily = Limit("hourly", 5, HOUR), Limit("daily", 5, DAY)
    for n in range(30):
        limiter.take(hourly, f"10.0.0.{n}")
    limiter.take(daily, "p1")
    clock.now = START + timedelta(days=1)
    limiter.take(hourly, "10.9.9.9")
    assert db["rate_limits"].count_documents({}) == 32
    clock.now = START + timedelta(days=2, hours=1)
    assert limiter.sweep() == 31
    assert [d["_id"] for d in db["rate_limits"].find({})] == ["hourly:10.9.9.9"]

    for n in range(10):
        limiter.take(hourly, f"10.1.0.{n}")
    clock.now = START + timedelta(days=5)
    limiter._next_sweep = 0
    limiter.take(hourly, "10.2.0.1")
    assert [d["_id"] for d in db["rate_limits"].find({})] == ["hourly:10.2.0.1"]
