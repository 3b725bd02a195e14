"""Requests that break HTTP/1.1 get problem+json from every API, not gunicorn's HTML page.

Each API runs under gunicorn exactly as ``make run`` starts it (``api_argv``), on the test
stack's database, and is sent raw bytes over a socket: a control character in an
Idempotency-Key, a header name with a space, a request line over gunicorn's 4 KiB limit,
a transfer coding gunicorn does not take in a request (gzip: 400) or does not know (501).
gunicorn refuses these before the app reads them; the answer keeps gunicorn's status, with
RFC 9110's reason phrase, and is RFC 9457 problem details naming what was wrong. Before
``shared.gunicorn_worker``, each was a ``text/html`` page.
"""
from __future__ import annotations

import json
import socket
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlparse

import pytest

from deploy.local.processes import REPO, processes
from tests.conftest import TEST_ENV
from tests.helpers import served_api

pytestmark = pytest.mark.stack

BROKEN = [
    (b"POST /v1/sellers HTTP/1.1\r\nHost: a\r\nIdempotency-Key: ab\x01cd\r\nContent-Length: 2\r\n\r\n{}", 400, "IDEMPOTENCY-KEY"),
    (b"GET /healthz HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n", 400, "Bad Name"),
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "Request Line is too large"),
    (b"POST /v1/sellers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "TRANSFER-ENCODING"),
    (b"POST /v1/sellers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo\r\n\r\n", 501, "'foo'"),
]


@pytest.fixture(scope="module", params=["registration", "matching", "notifications"])
def served(request, stack, tmp_path_factory):
    service = request.param
    folder = tmp_path_factory.mktemp(service)
    isolation = {**TEST_ENV, "BSM_TOPIC_PREFIX": f"{folder.name}.", f"{service.upper()}_MONGODB_DATABASE": f"refusals_{service}"}
    with served_api(service, isolation, folder, ready="/healthz") as base:
        yield urlparse(base).port


def exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` and read the whole answer (gunicorn closes after a refusal)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ")[1]), headers, body


@pytest.mark.parametrize("raw, status, named", BROKEN, ids=["control-char-in-header", "space-in-header-name", "long-request-line", "gzip-transfer-coding", "unknown-transfer-coding"])
def test_a_request_gunicorn_refuses_is_answered_in_problem_json(served, raw, status, named):
    got, headers, body = exchange(served, raw)
    assert got == status
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem["status"] == status and problem["title"] == HTTPStatus(status).phrase and named in problem["detail"]


@pytest.mark.parametrize("served", ["registration"], indirect=True)
@pytest.mark.parametrize("chunks", [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n"], ids=["chunk-size-not-hex", "chunk-without-crlf"])
def test_a_body_gunicorn_refuses_as_the_app_reads_it_is_a_400_problem(served, chunks):
    """Broken chunked encoding is found only when the app reads the body: registration's
    POST /v1/sellers reads it without a token (matching's and notifications' POSTs ask for
    one first; the handler, in shared/http.py, is the same for the three)."""
    got, headers, body = exchange(served, b"POST /v1/sellers HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                                          b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks)
    assert got == 400 and headers["content-type"] == "application/problem+json"
    assert "chunk" in json.loads(body)["detail"].lower()


def test_a_well_formed_request_is_still_the_apps(served):
    got, headers, body = exchange(served, b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert got == 200 and headers["content-type"] == "application/json" and json.loads(body)["status"] == "ok"


def test_the_worker_is_what_make_run_and_the_images_serve_with():
    """Every API under ProblemWorker, locally and in the image; the web app's pages keep
    gthread in both (deploy/k8s/web.yaml)."""
    argv = {p.name: p.argv for p in processes({})}
    for service in ("registration", "matching", "notifications"):
        assert "shared.gunicorn_worker.ProblemWorker" in argv[f"{service}-api"]
    assert "--worker-class shared.gunicorn_worker.ProblemWorker" in (Path(REPO) / "deploy" / "docker" / "entrypoint.sh").read_text()
    assert argv["web"][argv["web"].index("--worker-class") + 1] == "gthread"
    assert '"--worker-class", "gthread"' in (Path(REPO) / "deploy" / "k8s" / "web.yaml").read_text()
