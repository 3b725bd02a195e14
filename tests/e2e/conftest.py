"""The whole platform as ``make run`` starts it (same process table), on test ports."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from deploy.local.gatewaysink import GatewaySink
from deploy.local.mailsink import MailSink
from deploy.local.processes import Platform
from deploy.local.run import local_config
from tests.conftest import REPO, TEST_ENV

ORGANISER_EMAIL = local_config({})["BSM_ORGANISER_EMAILS"]
PORTS = {"registration": 18001, "matching": 18002, "notifications": 18003}
SMTP_PORT = 18025
GATEWAY_PORT = 18026
WEB_PORT = 18005


class Api:
    """A tiny client for one service's HTTP API."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()

    def get(self, path: str, **kwargs):
        return self.session.get(self.base + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs):
        return self.session.post(self.base + path, timeout=10, **kwargs)


@pytest.fixture(scope="package")
def mail():
    sink = MailSink(port=SMTP_PORT).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="package")
def gateway():
    sink = GatewaySink(port=GATEWAY_PORT).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="package")
def platform(stack, mail, gateway):
    """The platform with ``make run``'s configuration (``local_config``: organisers'
    addresses, digests), on test ports and with its own topics and databases."""
    tag = uuid.uuid4().hex[:6]
    env = {
        **TEST_ENV,
        "BSM_DIGEST_POLL_SECONDS": "2",
        "BSM_TOPIC_PREFIX": f"e2e{tag}.",
        "BSM_RELAY_POLL_SECONDS": "0.1",
        "BSM_API_WORKERS": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(SMTP_PORT),
        "SMS_GATEWAY_URL": gateway.url,
        "BSM_OPS_PORT": "18004",
        "BSM_WEB_PORT": str(WEB_PORT),
    }
    for service, port in PORTS.items():
        env[f"{service.upper()}_PORT"] = str(port)
        env[f"{service.upper()}_MONGODB_DATABASE"] = f"e2e{tag}_{service}"
    env = local_config(env)
    running = Platform(env, log_dir=Path(REPO, ".state", "test", "logs", f"e2e-{tag}"))
    running.start()
    try:
        running.wait_ready(timeout=60)
        yield running
    finally:
        running.stop()


@pytest.fixture
def registration(platform) -> Api:
    return Api(f"http://127.0.0.1:{PORTS['registration']}")


@pytest.fixture
def matching(platform) -> Api:
    return Api(f"http://127.0.0.1:{PORTS['matching']}")


@pytest.fixture
def web(platform) -> str:
    """The web app's base URL (no trailing slash)."""
    return f"http://127.0.0.1:{WEB_PORT}"


@pytest.fixture
def notifications(platform) -> Api:
    return Api(f"http://127.0.0.1:{PORTS['notifications']}")
