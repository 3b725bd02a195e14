"""gunicorn's threaded worker, answering the requests gunicorn refuses itself in problem+json.

gunicorn reads the request line and headers before the app sees them, and refuses what
breaks HTTP/1.1 there (a control character in a header value, a header name with a space,
a request line or headers too long, a transfer coding it does not take) with its own HTML
page. Clients of these APIs get RFC 9457 problem details for every refusal, so this worker
keeps gunicorn's decision (its status) and writes the answer as
``application/problem+json`` instead, with RFC 9110's reason phrase for the status
(gunicorn sends "Bad Request" with its 501) and gunicorn's message as the detail. A body
gunicorn refuses as the app reads it (broken chunked encoding) is a 400 from the app's own
error handler (``shared.http``). Served with
``--worker-class shared.gunicorn_worker.ProblemWorker``.
"""
from __future__ import annotations

import json
import socket
from http import HTTPStatus
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

__all__ = ["ProblemWorker", "problem_answer"]


class ProblemWorker(ThreadWorker):
    """``gthread`` (threads per worker, as before) whose own error answers are problem+json."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        """gunicorn's handling (its status, access and error logs), with the HTML page it
        writes to ``client`` replaced by the same status as problem+json."""
        super().handle_error(req, _Rewriting(client, exc), addr, exc)


class _Rewriting:
    """Stands for the client's socket while gunicorn writes its error page: takes the
    page, and sends ``problem_answer`` of its status instead (the only writes gunicorn
    makes to it are ``sendall`` between ``gettimeout`` and ``setblocking``)."""

    def __init__(self, sock: socket.socket, exc: BaseException):
        self._sock, self._exc = sock, exc

    def sendall(self, data: bytes) -> None:
        status = (data.split(b"\r\n", 1)[0].split(b" ") + [b""])[1]
        self._sock.sendall(problem_answer(int(status) if status.isdigit() else 500, self._exc))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def problem_answer(status: int, exc: BaseException | None) -> bytes:
    """A whole HTTP/1.1 answer (the connection then closes, as gunicorn's does): ``status``
    with its RFC 9110 reason phrase and a problem+json body whose detail is gunicorn's
    message for ``exc`` (none for a 500: the error log has it, the client learns nothing
    of it)."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": reason, "status": status}
    if exc is not None and status != HTTPStatus.INTERNAL_SERVER_ERROR:
        body["detail"] = f"The request breaks HTTP/1.1: {exc}."
    payload = json.dumps(body, ensure_ascii=True).encode("ascii")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n")
    return head.encode("latin-1") + payload
