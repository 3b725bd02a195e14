"""The organiser's sign-in: the API key (``BSM_API_KEYS``) is checked against registration
once, then kept in the HttpOnly session cookie sealed (Fernet: encrypted and authenticated
with a key derived by HKDF from ``BSM_WEB_SECRET``) and good for ``SIGN_IN_SECONDS``, so a
copied cookie neither shows the API key nor works for long. Only the web server unseals
it, to send it as the bearer of its calls to the services."""
from __future__ import annotations

import base64
import uuid
from functools import lru_cache, wraps
from typing import Any, Callable

import requests
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for

from web import clients
from web.clients import ApiError
from web.organiser import blueprint
from web.pages import safe_next

KEY = "organiser"
SIGN_IN_SECONDS = 12 * 3600


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bsm-web organiser key").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def sealed(api_key: str) -> str:
    """``api_key`` encrypted for the session cookie (needs the app: its ``SECRET_KEY``)."""
    return _fernet(current_app.config["SECRET_KEY"]).encrypt(api_key.encode()).decode()


def api_key() -> str | None:
    """The signed-in organiser's API key, or None (none kept, tampered with, or older than
    ``SIGN_IN_SECONDS``)."""
    token = session.get(KEY)
    if not isinstance(token, str):
        return None
    try:
        return _fernet(current_app.config["SECRET_KEY"]).decrypt(token.encode(), ttl=SIGN_IN_SECONDS).decode()
    except InvalidToken:
        return None


def signed_in() -> bool:
    """True when this browser's session holds a current organiser key."""
    return api_key() is not None


def organiser_required(view: Callable) -> Callable:
    """A view for a signed-in organiser; others go to the sign-in page and come back."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if signed_in():
            return view(*args, **kwargs)
        return redirect(sign_in_url())

    return wrapper


def sign_in_url() -> str:
    """The sign-in page, coming back to this page after (to the meets after a form post)."""
    return url_for("organiser.sign_in", next=request.full_path.rstrip("?") if request.method == "GET" else None)


def call(service: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    """``web.clients.call`` with the organiser's key as the bearer. A 401 (the key was
    taken out of ``BSM_API_KEYS``) forgets the key and sends the browser to the sign-in page."""
    try:
        return clients.call(service, method, path, token=api_key() or "", **kwargs)
    except ApiError as exc:
        if exc.status == 401:
            session.pop(KEY, None)
            flash("The services no longer accept this key: sign in again.", "error")
            abort(redirect(sign_in_url()))
        raise


def get(service: str, path: str, **kwargs: Any) -> Any:
    """GET ``path`` on ``service`` as the organiser; its JSON."""
    return call(service, "GET", path, **kwargs).json()


def post(service: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    """POST ``body`` as JSON as the organiser with a fresh ``Idempotency-Key``; its JSON or None."""
    headers = {"Idempotency-Key": uuid.uuid4().hex, **kwargs.pop("headers", {})}
    response = call(service, "POST", path, json=body if body is not None else {}, headers=headers, **kwargs)
    return response.json() if response.content else None


def every(service: str, path: str, params: dict | None = None, limit: int = 100, pages: int = 50) -> list[dict]:
    """Every item of a paged list (``items``, ``next_cursor``), at most ``pages`` pages."""
    found, cursor = [], None
    for _page in range(pages):
        answer = get(service, path, params={**(params or {}), "limit": limit, **({"cursor": cursor} if cursor else {})})
        found.extend(answer["items"])
        cursor = answer.get("next_cursor")
        if not cursor:
            break
    return found


def flash_problem(exc: ApiError) -> None:
    """Show a service's refusal on the next page: its detail and each named field."""
    problem = exc.problem
    fields = "; ".join(f"{name}: {messages}" for name, messages in exc.field_messages.items())
    flash(" ".join(filter(None, [problem.get("detail") or problem.get("title"), fields])), "error")


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The organiser types their API key; it is kept only when registration accepts it as staff's."""
    back = safe_next(request.values.get("next"), url_for("organiser.meets"))
    error = None
    if request.method == "POST":
        key = request.form.get("key", "").strip()
        try:
            clients.get_json("registration", "/v1/sellers", params={"limit": 1}, token=key)
        except ApiError as exc:
            if exc.status not in (401, 403):
                raise
            error = "This key is not an organiser's key."
        else:
            session.clear()
            session[KEY] = sealed(key)
            session.permanent = False
            return redirect(back)
    return render_template("organiser/sign_in.html", next=back, error=error), 401 if error else 200


@blueprint.post("/sign-out")
def sign_out():
    """Forget the organiser's key."""
    session.clear()
    return redirect(url_for("organiser.sign_in"))
