"""No input a schema-driven fuzzer can think of makes any service's API answer 5xx."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from services.matching.app import create_app as create_matching_app
from services.notifications.app import create_app as create_notifications_app
from tests.api.conftest import ORGANISER

pytestmark = pytest.mark.stack


def fuzz_every_operation(app, minimum_operations: int):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= minimum_operations

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            case.call_and_validate(headers=ORGANISER, checks=[not_a_server_error])

        fuzz()


def test_no_request_makes_a_server_error_in_registration(app):
    fuzz_every_operation(app, 20)


def test_no_request_makes_a_server_error_in_matching(settings_for):
    fuzz_every_operation(create_matching_app(settings_for("matching", BSM_FRESHNESS_MAX_WAIT_SECONDS="0.1")), 15)


def test_no_request_makes_a_server_error_in_notifications(settings_for):
    fuzz_every_operation(create_notifications_app(settings_for("notifications", BSM_FRESHNESS_MAX_WAIT_SECONDS="0.1")), 5)
