"""Calls to the services' public HTTP APIs, made by the web server for the person signed in.

One ``requests.Session`` per process (connection reuse); each call carries the
participant's bearer token (when signed in) and the page request's correlation id as
``X-Request-ID``, so ``bsm ops trace`` follows a click through every service.
"""
from __future__ import annotations

import uuid
from typing import Any

import requests
from flask import current_app, g, has_request_context, session

_http = requests.Session()


class ApiError(Exception):
    """A service answered with an error: ``status`` and its problem document
    (``title``, ``detail``, ``errors`` naming each field), or a connection failure (status 503)."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: str | None = None):
        super().__init__(f"{status}: {problem.get('title')}")
        self.status = status
        self.problem = problem
        self.retry_after = retry_after

    @property
    def minutes_to_wait(self) -> int:
        """Whole minutes the service asked to wait (Retry-After), at least 1."""
        try:
            return max(1, -(-int(self.retry_after or 60) // 60))
        except ValueError:
            return 60

    @property
    def field_messages(self) -> dict[str, str]:
        """Each top-level field the service named, with all its messages as one line however
        deeply they were nested (``products.0.name``, ``quantity.value``, ``breaks.0.end``)."""
        return {name: " ".join(_messages(found)) for name, found in self.field_errors.items()}

    @property
    def field_errors(self) -> dict[str, Any]:
        """Field name -> messages, as the service's 422 named them."""
        errors = self.problem.get("errors")
        return errors if isinstance(errors, dict) else {}


def correlation_id() -> str:
    """The id of the page request in hand, sent to every service it calls."""
    if not has_request_context():
        return uuid.uuid4().hex
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex
    return g.request_id


def call(service: str, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
    """``method`` ``path`` on ``service`` with the signed-in participant's token (or
    ``token``); the response when 2xx, else ``ApiError``."""
    settings = current_app.config["WEB_SETTINGS"]
    headers = {"X-Request-ID": correlation_id(), **kwargs.pop("headers", {})}
    bearer = session.get("token") if token is None else token
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        response = _http.request(method, settings.url(service, path), headers=headers, timeout=settings.timeout_seconds, **kwargs)
    except requests.RequestException as exc:
        raise ApiError(503, {"title": "Service unavailable", "detail": type(exc).__name__}) from exc
    if response.status_code >= 400:
        raise ApiError(response.status_code, _problem(response), response.headers.get("Retry-After"))
    return response


def get_json(service: str, path: str, **kwargs: Any) -> Any:
    """GET ``path`` on ``service`` and return its JSON body."""
    return call(service, "GET", path, **kwargs).json()


def post_json(service: str, path: str, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST ``body`` as JSON with a fresh ``Idempotency-Key``; the JSON answer (or None)."""
    headers = {"Idempotency-Key": uuid.uuid4().hex, **kwargs.pop("headers", {})}
    response = call(service, "POST", path, json=body or {}, headers=headers, **kwargs)
    return response.json() if response.content else None


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason or "Error"}
    return body if isinstance(body, dict) else {"title": response.reason or "Error"}


def _messages(found: Any) -> list[str]:
    if isinstance(found, dict):
        return [m for value in found.values() for m in _messages(value)]
    if isinstance(found, (list, tuple)):
        return [m for value in found for m in _messages(value)]
    return [str(found)]
