"""Delivery channels behind one interface: ``send(notification, rendered)``.

A channel raises ``DeliveryError`` for a failure worth retrying and
``UndeliverableError`` for one that never will succeed (a malformed address).
"""
from __future__ import annotations

import urllib.error
import urllib.request
from typing import Protocol

from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered


class DeliveryError(Exception):
    """The channel failed this time; try again later."""


class UndeliverableError(Exception):
    """The channel can never deliver this notification."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification, rendered: Rendered) -> None: ...


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float, what: str) -> None:
    """POST ``body`` and classify the failure: 429 and 5xx are worth retrying, another 4xx
    never succeeds, an unreachable endpoint is retried."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise DeliveryError(f"{what} answered {exc.code}") from exc
        raise UndeliverableError(f"{what} refused the message: {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{what} unreachable: {exc}") from exc
