"""Fixtures shared by the whole suite.

The real local stack (Kafka + FerretDB) is started once per test run, on its own ports and
state folder (``.state/test``), so the suite never touches a platform started by
``make run``. Each test gets its own topic prefix and database names, so tests do not see
each other's messages or documents.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from deploy.local.stack import stack_from_env
from shared.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
TEST_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("BSM_TEST_KAFKA", "127.0.0.1:19092"),
    "KAFKA_CONTROLLER_PORT": os.environ.get("BSM_TEST_KAFKA_CONTROLLER_PORT", "19093"),
    "MONGODB_URI": os.environ.get("BSM_TEST_MONGODB_URI", "mongodb://127.0.0.1:17017/"),
}


@pytest.fixture(scope="session")
def stack():
    """Kafka and FerretDB, fresh for this run, stopped at the end."""
    test_stack = stack_from_env({**TEST_ENV, "BSM_STATE_DIR": os.environ.get("BSM_TEST_STATE_DIR", str(REPO / ".state" / "test"))})
    test_stack.reset()
    test_stack.start()
    yield test_stack
    test_stack.stop()


@pytest.fixture
def isolation() -> dict[str, str]:
    """Environment that gives this test its own topics and databases, and mail to a port
    nothing listens on unless the test names its own sink (``SMTP_PORT``): the default is
    the port ``make run``'s mail sink takes, and a test's mail must not land there."""
    tag = uuid.uuid4().hex[:8]
    env = {**TEST_ENV, "BSM_TOPIC_PREFIX": f"t{tag}.", "BSM_RELAY_POLL_SECONDS": "0.05", "SMTP_PORT": "1"}
    for service in ("registration", "matching", "notifications"):
        env[f"{service.upper()}_MONGODB_DATABASE"] = f"t{tag}_{service}"
    return env


@pytest.fixture
def settings_for(stack, isolation):
    """``settings_for("matching")``: settings of a service, isolated for this test."""

    def make(service: str, **overrides: str) -> Settings:
        return load_settings(service, {**isolation, **overrides})

    return make
