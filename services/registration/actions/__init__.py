"""What registration does, step by step: domain rules, storage and the events to publish.

No Flask here: views turn requests into calls of these functions and their errors
(``DomainError``, ``NotFound``, ``Conflict``, ``Stale``) into problem responses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from shared.auth import Authenticator
from shared.leases import Leases
from shared.one_time_codes import CodeSealer
from shared.retrying import again_while_raced

from services.registration.actions.verification import VerificationGuard
from services.registration.import_store import ImportStore
from services.registration.domain.errors import Conflict
from services.registration.store import ApplicationStore, MeetStore, ParticipantStore, ReferenceStore

T = TypeVar("T")


class Stale(Exception):
    """The record changed since the caller read it (their If-Match is out of date)."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def retried(action: Callable[[], T], what: str, field: str | None = None) -> T:
    """``action()``, run again while its write loses to a concurrent one (``Stale``;
    ``shared/retrying.py``), for a change the caller did not make on a version of their
    own (no If-Match): the race is the server's to settle, not a 412 for a client who read
    nothing. Conflict naming ``what`` (and ``field``) if every run lost."""
    try:
        return again_while_raced(action, Stale)
    except Stale:
        raise Conflict(f"The {what} kept changing while this change was made: try again.", field) from None


@dataclass
class Registration:
    participants: ParticipantStore
    meets: MeetStore
    applications: ApplicationStore
    reference: ReferenceStore
    imports: ImportStore
    auth: Authenticator
    secret: str
    codes: CodeSealer
    verification: VerificationGuard
    leases: Leases
