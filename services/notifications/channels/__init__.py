"""Delivery channels behind one interface: ``send(notification, rendered)``.

A channel raises ``DeliveryError`` for a failure worth retrying and
``UndeliverableError`` for one that never will succeed (a malformed address).
"""
from __future__ import annotations

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
