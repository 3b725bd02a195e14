"""Contact exchange: the two sides of a confirmed meeting see each other's business phone
and email, unless that side opted out (``share_contact`` false in their registration).

A meeting is confirmed once it is published (``scheduled``, and still after its outcome:
``held`` or ``no_show``) or a request between the two was accepted; a cancelled meeting
or a pending or declined request confirms nothing. Before that, contact details stay with
registration and notifications.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Iterable

from services.matching.domain.participants import ParticipantProfile

CONFIRMED_MEETING = frozenset({"scheduled", "held", "no_show"})
PRIVATE = ("contact", "share_contact")


def confirmed(meetings: Iterable[dict[str, Any] | None], requests: Iterable[dict[str, Any] | None] = ()) -> bool:
    """Whether any of ``meetings`` (meeting documents of one pair) or ``requests`` (their
    request documents, either direction) confirms a meeting between the pair."""
    return any(m and m.get("status") in CONFIRMED_MEETING for m in meetings) or any(r and r.get("status") == "accepted" for r in requests)


def shared_contact(profile: ParticipantProfile | None) -> dict[str, str] | None:
    """``{"phone", "email"}`` (those given) that ``profile`` lets counterparts of a
    confirmed meeting see, or None (opted out, none given, or no profile)."""
    if profile is None or not profile.share_contact:
        return None
    given = {k: v for k, v in (profile.contact or {}).items() if v}
    return given or None


def public_profile(profile: ParticipantProfile, contact: dict[str, str] | None = None) -> dict[str, Any]:
    """The profile without contact details, plus ``contact`` when the caller may see it."""
    shown = {k: v for k, v in asdict(profile).items() if k not in PRIVATE}
    return {**shown, "contact": contact} if contact else shown
