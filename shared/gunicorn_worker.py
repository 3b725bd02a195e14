"""gunicorn's threaded worker, answering the requests gunicorn refuses itself in problem+json.

gunicorn reads the request line and headers before the app sees them, and refuses what
breaks HTTP/1.1 there (a control character in a header value, a header name with a space,
a request line or headers too long, a bad chunk size, an unknown transfer coding) with its
own HTML page. Clients of these APIs get RFC 9457 problem details for every refusal, so
this worker keeps gunicorn's decision (status and reason phrase, which follow RFC 9110)
and writes the answer as ``application/problem+json`` instead, with gunicorn's message as
the detail. Served with ``--worker-class shared.gunicorn_worker.ProblemWorker``.
"""
from __future__ import annotations

import json
import socket
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
    page, and sends ``problem_answer`` of its status line instead (the only writes gunicorn
    makes to it are ``sendall`` between ``gettimeout`` and ``setblocking``)."""

    def __init__(self, sock: socket.socket, exc: BaseException):
        self._sock, self._exc = sock, exc

    def sendall(self, data: bytes) -> None:
        status_line = data.split(b"\r\n", 1)[0].decode("latin-1")
        _, status, reason = (status_line.split(" ", 2) + ["", ""])[:3]
        self._sock.sendall(problem_answer(int(status) if status.isdigit() else 500, reason, self._exc))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def problem_answer(status: int, reason: str, exc: BaseException | None) -> bytes:
    """A whole HTTP/1.1 answer (the connection then closes, as gunicorn's does): ``status``
    with its ``reason`` phrase and a problem+json body whose detail is gunicorn's message
    for ``exc`` (none for a 500: the error log has it, the client learns nothing of it)."""
    body: dict[str, Any] = {"type": "about:blank", "title": reason or "Bad Request", "status": status}
    if exc is not None and status < 500:
        body["detail"] = f"The request breaks HTTP/1.1: {exc}."
    payload = json.dumps(body, ensure_ascii=True).encode("ascii")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n")
    return head.encode("latin-1") + payload
