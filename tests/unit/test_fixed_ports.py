"""Fixed ports the suite and the benchmarks listen on lie below Linux's ephemeral range
(32768-60999 by default), where an outgoing connection of any process may hold the same
port at the moment a listener binds it ("Address already in use" once in a while)."""
from urllib.parse import urlparse

from bench import imports, notifications, pipeline, registration_api
from bench.faults import Ports
from bench.stack import BENCH_ENV
from tests.conftest import TEST_ENV
from tests.e2e import conftest as e2e
from tests.api import test_notifications_flow, test_one_time_codes
from tests.e2e.test_faults_short import PORTS as SHORT_FAULTS
from tests.integration import shape_scenario, test_email_format, test_gateway_channel, test_notification_delivery

EPHEMERAL_FROM = 32768


def stack_ports(env: dict[str, str]) -> list[int]:
    return [int(env["KAFKA_BOOTSTRAP_SERVERS"].rsplit(":", 1)[1]), int(env["KAFKA_CONTROLLER_PORT"]), urlparse(env["MONGODB_URI"]).port]


def fault_ports(ports: Ports) -> list[int]:
    return [p for p in (ports.kafka, ports.controller, ports.mongo, *ports.apis, ports.flow, ports.web, ports.smtp, ports.gateway) if p]


def test_every_fixed_listening_port_is_below_the_ephemeral_range():
    fixed = {
        "test stack": stack_ports(TEST_ENV), "bench stack": stack_ports(BENCH_ENV),
        "e2e platform": [*e2e.PORTS.values(), e2e.WEB_PORT, e2e.SMTP_PORT, e2e.GATEWAY_PORT],
        "bench registration_api": list(registration_api.PORTS.values()),
        "make faults": fault_ports(Ports()), "short fault test": fault_ports(SHORT_FAULTS),
        "bench pipeline": [*pipeline.PORTS.values(), pipeline.SMTP_PORT, pipeline.OPS_PORT, pipeline.WEB_PORT],
        "bench dispatcher": [notifications.SMTP_PORT], "bench import": [imports.PORT],
        "notification flow tests": [test_notifications_flow.SMTP, test_notifications_flow.GATEWAY, test_notifications_flow.HOOK],
        "one-time code tests": [test_one_time_codes.SMTP], "delivery tests": [test_notification_delivery.SMTP_PORT], "email format tests": [test_email_format.SMTP_PORT],
        "gateway tests": [test_gateway_channel.GATEWAY_PORT], "data shape test": [shape_scenario.SMTP_PORT],
    }
    assert all(fixed.values())
    for user, ports in fixed.items():
        assert all(0 < p < EPHEMERAL_FROM for p in ports), (user, ports)
