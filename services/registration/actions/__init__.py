"""What registration does, step by step: domain rules, storage and the events to publish.

No Flask here: views turn requests into calls of these functions and their errors
(``DomainError``, ``NotFound``, ``Conflict``, ``Stale``) into problem responses.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.auth import Authenticator
from shared.one_time_codes import CodeSealer

from services.registration.actions.verification import VerificationGuard
from services.registration.import_store import ImportStore
from services.registration.store import ApplicationStore, MeetStore, ParticipantStore, ReferenceStore


class Stale(Exception):
    """The record changed since the caller read it (their If-Match is out of date)."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


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
