"""Who is signed in: the participant's id, side and token, kept in Flask's signed session
cookie (``BSM_WEB_SECRET``). The token is the one registration gave for the one-time code;
the browser holds it only inside the signed, HttpOnly cookie.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import redirect, session, url_for

SIDES = ("seller", "buyer")


def start(participant_id: str, side: str, name: str) -> None:
    """Remember a participant who has registered but not yet proved their phone."""
    session.clear()
    session.update(participant_id=participant_id, side=side, name=name)
    session.permanent = True


def verified(token: str, side: str) -> None:
    """The participant proved their phone: keep the token their calls carry and their side."""
    session.update(token=token, side=side)


def participant_id() -> str | None:
    """The id of the participant of this browser, verified or not."""
    return session.get("participant_id")


def side() -> str:
    """``seller`` or ``buyer``."""
    return session.get("side", "seller")


def signed_in() -> bool:
    """True once the participant has a token."""
    return bool(session.get("token") and session.get("participant_id"))


def sign_out() -> None:
    """Forget the participant (the language cookie stays)."""
    session.clear()


def participant_required(view: Callable) -> Callable:
    """A view for a verified participant: others go to registration (or to the code page
    when they registered but have not verified)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if signed_in():
            return view(*args, **kwargs)
        if participant_id():
            return redirect(url_for("participant.verify"))
        return redirect(url_for("participant.home"))

    return wrapper
