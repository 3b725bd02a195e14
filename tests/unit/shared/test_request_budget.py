import pytest
from pymongo.errors import AutoReconnect, DuplicateKeyError, ExecutionTimeout, NetworkTimeout, OperationFailure, ServerSelectionTimeoutError

from shared import request_budget
from shared.request_budget import Breaker, budget_of, database_away


def test_a_view_gets_its_declared_budget_capped_under_the_worker_timeout_else_the_default():
    budgets = {"meets.publish": 25, "meets.huge": 600}
    assert budget_of("meets.publish", budgets, 1.5) == 25
    assert budget_of("meets.huge", budgets, 1.5) == request_budget.LONGEST_SECONDS < 30
    assert budget_of("participants.register_seller", budgets, 1.5) == 1.5
    assert budget_of(None, budgets, 1.5) == 1.5


@pytest.mark.parametrize("error", [NetworkTimeout("timed out"), ServerSelectionTimeoutError("no server"), AutoReconnect("reset"),
                                   ExecutionTimeout("operation exceeded time limit", 50)])
def test_an_unreachable_or_slow_database_counts_as_away(error):
    assert database_away(error)


@pytest.mark.parametrize("error", [DuplicateKeyError("E11000", 11000), OperationFailure("bad filter", 2)])
def test_a_database_that_answers_with_an_error_is_not_away(error):
    assert not database_away(error)


def test_the_breaker_stays_open_for_its_period_after_a_trip_then_lets_requests_try_again():
    now = [100.0]
    breaker = Breaker(open_seconds=1.0, clock=lambda: now[0])
    assert not breaker.is_open()
    breaker.trip()
    now[0] = 100.9
    assert breaker.is_open()
    now[0] = 101.0
    assert not breaker.is_open()
    breaker.trip()
    now[0] = 101.5
    breaker.trip()
    now[0] = 102.2
    assert breaker.is_open()
