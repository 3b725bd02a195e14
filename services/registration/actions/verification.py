"""How often one-time codes may be asked for and tried (shared/rate_limits.py).

Codes cost an SMS each and six digits are guessable, so anonymous callers are held to:
code requests per participant per hour and per day (the SMS spend) and per client address
per hour; verification attempts per participant per hour, counted before the code is
checked and never reset by a new code, and per client address per hour. Each count is
configurable (``BSM_*`` variables below).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from shared.rate_limits import DAY, HOUR, Limit, RateLimiter

RATE_LIMITS = "rate_limits"


@dataclass(frozen=True)
class VerificationLimits:
    codes_per_participant: Limit
    codes_per_participant_daily: Limit
    codes_per_address: Limit
    attempts_per_participant: Limit
    attempts_per_address: Limit

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "VerificationLimits":
        """The limits, each overridable by its variable."""
        return cls(
            Limit.from_env("code_requests", env, "BSM_CODE_REQUESTS_PER_HOUR", 5, HOUR),
            Limit.from_env("code_requests_daily", env, "BSM_CODE_REQUESTS_PER_DAY", 10, DAY),
            Limit.from_env("code_requests_from", env, "BSM_CODE_REQUESTS_PER_ADDRESS_HOUR", 20, HOUR),
            Limit.from_env("verify_attempts", env, "BSM_VERIFY_ATTEMPTS_PER_HOUR", 10, HOUR),
            Limit.from_env("verify_attempts_from", env, "BSM_VERIFY_ATTEMPTS_PER_ADDRESS_HOUR", 30, HOUR),
        )


@dataclass
class VerificationGuard:
    """Counts code requests and attempts against ``limits``; ``RateLimited`` when over."""

    limiter: RateLimiter
    limits: VerificationLimits

    def code_request_from(self, address: str) -> None:
        self.limiter.take(self.limits.codes_per_address, address)

    def code_request_for(self, participant_id: str) -> None:
        self.limiter.take(self.limits.codes_per_participant, participant_id)
        self.limiter.take(self.limits.codes_per_participant_daily, participant_id)

    def attempt_from(self, address: str) -> None:
        self.limiter.take(self.limits.attempts_per_address, address)

    def attempt_for(self, participant_id: str) -> None:
        self.limiter.take(self.limits.attempts_per_participant, participant_id)
