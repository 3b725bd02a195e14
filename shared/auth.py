"""Who is calling: organisers and operators by API key, participants by signed token.

API keys are configured at deploy time (``BSM_API_KEYS="organiser:<key>,operator:<key>"``).
A participant gets a token from registration once they prove they hold their phone or
email (a one-time code); every service verifies it with the shared ``BSM_AUTH_SECRET``.
Tokens are signed and timed with itsdangerous (already a Flask dependency).

Keys and tokens travel only in the ``Authorization`` header. The one credential a URL may
carry is a calendar feed token (``issue_feed``): signed apart from participant tokens,
good only for reading that participant's calendar feed, and revoked by moving the
participant's feed generation on (matching keeps it), so a leaked subscription URL is
cut off without touching the participant's own token.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Mapping

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

ORGANISER, OPERATOR, PARTICIPANT = "organiser", "operator", "participant"
STAFF = (ORGANISER, OPERATOR)
TOKEN_TTL_SECONDS = 30 * 24 * 3600
_SALT = "bsm-participant-token"
_FEED_SALT = "bsm-calendar-feed-token"
CALENDAR_FEED = "calendar-feed"


class Unauthenticated(Exception):
    """No credentials, or credentials that do not check out."""


@dataclass(frozen=True)
class Principal:
    role: str
    subject: str  # the participant id, or the key's name for staff

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def may_act_for(self, participant_id: str) -> bool:
        return self.role == ORGANISER or (self.role == PARTICIPANT and self.subject == participant_id)


def parse_api_keys(spec: str) -> dict[str, str]:
    """``"organiser:k1,operator:k2"`` -> ``{"k1": "organiser", "k2": "operator"}``."""
    keys = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        role, _, key = item.partition(":")
        if role not in STAFF or len(key) < 8:
            raise ValueError(f"API key entries are role:key with role in {STAFF} and a key of 8+ characters: {item[:20]!r}")
        keys[key] = role
    return keys


class Authenticator:
    def __init__(self, secret: str, api_keys: Mapping[str, str], ttl_seconds: int = TOKEN_TTL_SECONDS):
        self.serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.feeds = URLSafeSerializer(secret, salt=_FEED_SALT)
        self.api_keys = dict(api_keys)
        self.ttl_seconds = ttl_seconds

    def issue(self, participant_id: str) -> str:
        return self.serializer.dumps({"sub": participant_id, "role": PARTICIPANT})

    def issue_feed(self, participant_id: str, generation: int) -> str:
        """A read-only token for ``participant_id``'s calendar feed, valid while their feed
        generation is ``generation``."""
        return self.feeds.dumps({"sub": participant_id, "scope": CALENDAR_FEED, "gen": generation})

    def read_feed(self, token: str) -> tuple[str, int]:
        """The participant and generation a calendar feed token was issued for."""
        try:
            claims = self.feeds.loads(token)
        except BadSignature:
            raise Unauthenticated("The calendar feed token is not valid.") from None
        if not isinstance(claims, dict) or claims.get("scope") != CALENDAR_FEED:
            raise Unauthenticated("The calendar feed token is not valid.")
        return claims["sub"], claims["gen"]

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal behind an ``Authorization: Bearer ...`` header value."""
        scheme, _, credential = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated("Send 'Authorization: Bearer <API key or token>'.")
        for key, role in self.api_keys.items():
            if hmac.compare_digest(key.encode(), credential.encode()):
                return Principal(role, f"{role}-key")
        try:
            claims = self.serializer.loads(credential, max_age=self.ttl_seconds)
        except SignatureExpired:
            raise Unauthenticated("The token has expired: verify your phone or email again.") from None
        except BadSignature:
            raise Unauthenticated("The API key or token is not valid.") from None
        return Principal(claims["role"], claims["sub"])
