"""Signed outgoing webhooks for buyers' own systems.

Each POST carries ``X-BSM-Timestamp`` (Unix seconds) and ``X-BSM-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` under the receiver's secret.
Receivers recompute it and refuse stale timestamps, so a captured request cannot be
replayed later. ``verify`` is the receiver's side, for buyers' developers and our tests.
Webhooks go to public addresses only, checked again at each send (shared/destinations.py).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Callable

from services.notifications.channels import UndeliverableError, post_json
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, given: str, now: float | None = None) -> bool:
    try:
        fresh = abs((now or time.time()) - int(timestamp)) <= TOLERANCE_SECONDS
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), given)


def webhooks_may_be_private(settings) -> bool:
    """``BSM_WEBHOOK_ALLOW_PRIVATE=1``: tests' webhook listeners are on loopback (production
    refuses to start with it, shared/config.py)."""
    return settings.extra.get("BSM_WEBHOOK_ALLOW_PRIVATE", "") not in ("", "0")


class WebhookChannel:
    name = "webhook"

    def __init__(self, secrets: Callable[[str], str | None], timeout: float = 10.0, allow_private: bool = False):
        """``allow_private``: send to loopback and private addresses too (tests only:
        ``BSM_WEBHOOK_ALLOW_PRIVATE=1``, which production refuses)."""
        self.secret_for = secrets
        self.timeout = timeout
        self.allow_private = allow_private

    def send(self, notification: Notification, rendered: Rendered) -> None:
        secret = self.secret_for(notification.recipient_id)
        if not secret:
            raise UndeliverableError("no webhook secret is set for this recipient")
        body = json.dumps({
            "id": notification.id, "kind": notification.kind, "recipient_id": notification.recipient_id,
            "subject": rendered.subject, "text": rendered.text, "correlation_id": notification.correlation_id,
        }).encode()
        timestamp = str(int(time.time()))
        headers = {"X-BSM-Timestamp": timestamp, "X-BSM-Signature": signature(secret, timestamp, body),
                   "X-BSM-Delivery": notification.delivery_id}
        post_json(notification.address, body, headers, self.timeout, "webhook", allow_private=self.allow_private)
