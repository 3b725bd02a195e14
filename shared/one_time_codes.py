"""One-time codes travel sealed, so only the recipient's channel ever sees them in clear.

Registration makes a code, keeps only its HMAC (to check it) and puts it in its
``verification_requested`` event sealed (Fernet: AES-128-CBC with an HMAC-SHA256, and a
timestamp) under a key that only registration and notifications hold (``BSM_CODE_KEY``).
Whoever reads the topic, its dead letters, the outbox or notifications' database sees
ciphertext; notifications' dispatcher opens it in memory just to render the SMS or email,
and stores and shows the message with the code redacted. A sealed code older than
``CODE_TTL`` no longer opens, so a late retry or a resend never sends a dead code.
"""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CODE_TTL = timedelta(minutes=15)
REDACTED = "******"
SEALED_PREFIX = "sealed_"
"""Message context values under a key starting with this are sealed secrets: opened only
to render what the channel sends (under the key without the prefix), redacted elsewhere."""


class UnreadableCode(Exception):
    """A sealed code that is not ours, was tampered with, or is older than ``CODE_TTL``."""


class CodeSealer:
    """Seals and opens one-time codes under a key derived from ``secret`` (HKDF-SHA256)."""

    def __init__(self, secret: str, ttl: timedelta = CODE_TTL):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bsm one-time codes").derive(secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self.ttl = ttl

    def seal(self, code: str, now: datetime | None = None) -> str:
        """``code`` encrypted and authenticated, stamped with ``now``."""
        return self._fernet.encrypt_at_time(code.encode(), int(_now(now).timestamp())).decode()

    def open(self, sealed: str, now: datetime | None = None) -> str:
        """The code inside ``sealed``; ``UnreadableCode`` if it is not genuine or has expired."""
        try:
            return self._fernet.decrypt_at_time(sealed.encode(), int(self.ttl.total_seconds()), int(_now(now).timestamp())).decode()
        except (InvalidToken, ValueError, TypeError) as exc:
            raise UnreadableCode("the sealed code is not genuine or has expired") from exc


def revealed(context: dict, sealer: CodeSealer | None) -> dict:
    """``context`` with each sealed value opened under its plain name, for the channel."""
    out = {k: v for k, v in context.items() if not k.startswith(SEALED_PREFIX)}
    for key, value in context.items():
        if key.startswith(SEALED_PREFIX):
            if sealer is None:
                raise UnreadableCode(f"no key to open {key} with (BSM_CODE_KEY)")
            out[key[len(SEALED_PREFIX):]] = sealer.open(value)
    return out


def redacted(context: dict) -> dict:
    """``context`` with each sealed value replaced by ``REDACTED`` under its plain name,
    for what is stored, listed and logged."""
    out = {k: v for k, v in context.items() if not k.startswith(SEALED_PREFIX)}
    out.update({k[len(SEALED_PREFIX):]: REDACTED for k in context if k.startswith(SEALED_PREFIX)})
    return out


def has_sealed(context: dict) -> bool:
    return any(k.startswith(SEALED_PREFIX) for k in context)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)
