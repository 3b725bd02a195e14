"""An API whose database stops answering answers 503 quickly, and its probes stay fast.

Registration's real API runs under gunicorn exactly as ``make run`` starts it, talking to
the test stack's database through a proxy that can hold every byte in both directions (a
database stuck behind a backlog). While it holds: each POST gets a 503 problem+json with
Retry-After (``BSM_REQUEST_DB_SECONDS`` is 1 s here), ``/healthz`` answers, and
``/readyz`` says the database is down. The proxy holds until every answer is in, so an
answer at all shows the request did not wait for the database (one that did would wait
until the client gives up); no figure of seconds is asserted, as the machine is shared.
When the proxy lets the bytes through again, registration works again.
"""
from __future__ import annotations

import socket
import threading
import time
from concurrent import futures
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from tests.api.conftest import SELLER
from tests.helpers import served_api, wait_until

pytestmark = pytest.mark.stack


class HoldingProxy:
    """A TCP proxy to ``upstream``; ``hold()`` stops passing bytes (they wait), ``release()``
    passes them on again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.flowing = threading.Event()
        self.flowing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self) -> None:
        self.flowing.clear()

    def release(self) -> None:
        self.flowing.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                self.flowing.wait()
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.release()
        self.listener.close()


@pytest.fixture
def held_registration(stack, isolation, tmp_path: Path):
    mongo = urlparse(isolation["MONGODB_URI"])
    proxy = HoldingProxy((mongo.hostname, mongo.port))
    env = {**isolation, "MONGODB_URI": f"mongodb://127.0.0.1:{proxy.port}/", "BSM_REQUEST_DB_SECONDS": "1"}
    try:
        with served_api("registration", env, tmp_path) as base:
            yield base, proxy
    finally:
        proxy.close()


def _seller(n: int) -> dict:
    body = {k: v for k, v in SELLER.items() if k != "gstin"}
    return {**body, "name": f"Seller {n}", "phone": f"+9197{n:08d}", "email": f"held{n}@example.in"}


def test_a_request_that_cannot_get_the_database_gets_503_quickly_and_probes_stay_fast(held_registration):
    base, proxy = held_registration
    assert requests.post(f"{base}/v1/sellers", json=_seller(1), timeout=10).status_code == 201

    proxy.hold()
    with futures.ThreadPoolExecutor(8) as pool:
        posts = [pool.submit(requests.post, f"{base}/v1/sellers", json=_seller(100 + n), timeout=30) for n in range(6)]
        time.sleep(0.2)
        health = requests.get(f"{base}/healthz", timeout=30)
        ready = requests.get(f"{base}/readyz", timeout=30)
        answered = [p.result() for p in posts]

    assert health.status_code == 200
    assert ready.status_code == 503 and ready.json()["checks"]["mongo"] == "down"
    for response in answered:
        assert response.status_code == 503, response.text
        assert response.headers["Content-Type"] == "application/problem+json"
        assert int(response.headers["Retry-After"]) > 0

    proxy.release()

    def registers():
        response = requests.post(f"{base}/v1/sellers", json=_seller(2), timeout=10)
        return response.status_code == 201 or (response.status_code == 503 and None)

    wait_until(registers, timeout=30, what="registration working again after the database answers")
    assert requests.get(f"{base}/readyz", timeout=2).status_code == 200


@pytest.mark.parametrize("service", ["registration", "matching", "notifications"])
def test_every_longer_budget_names_a_real_view(settings_for, service):
    module = __import__(f"services.{service}.app", fromlist=["create_app", "DATABASE_BUDGETS"])
    app = module.create_app(settings_for(service))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert module.DATABASE_BUDGETS and set(module.DATABASE_BUDGETS) <= endpoints, set(module.DATABASE_BUDGETS) - endpoints
    assert app.config["DATABASE_BUDGETS"] == module.DATABASE_BUDGETS
