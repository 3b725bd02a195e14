"""Delivery channels behind one interface: ``send(notification, rendered)``.

A channel raises ``DeliveryError`` for a failure worth retrying and
``UndeliverableError`` for one that never will succeed (a malformed address, a message
that cannot be built from what the person entered, a permanent refusal).
"""
from __future__ import annotations

import http.client
from typing import Protocol

from shared import destinations

from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered

class DeliveryError(Exception):
    """The channel failed this time; try again later."""


class UndeliverableError(Exception):
    """The channel can never deliver this notification."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification, rendered: Rendered) -> None: ...


def one_line(value: str) -> str:
    """``value`` as one line for a header field: every run of whitespace, line breaks of
    any kind (CR, LF, VT, FF, NEL, U+2028/9) included, and every other control character
    becomes one space, so text a person entered can never start a header of its own."""
    printable = "".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in value)
    return " ".join(printable.split())


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float, what: str, allow_private: bool = False) -> None:
    """POST ``body`` and classify the failure: 429 and 5xx are worth retrying, another 4xx
    never succeeds, an unreachable endpoint (or a name that does not resolve now) is
    retried, a redirect is not followed and never succeeds. The URL is checked
    (shared/destinations.py) and the request goes only to an address checked: a URL that
    is not http(s), or whose host is or resolves to anything but public addresses, is
    ``UndeliverableError`` with the reason (``allow_private`` for an endpoint the operator
    configured, such as the SMS gateway, and for tests). Header values are sent as
    ``one_line`` of what is given, so none can add a header."""
    clean = {name: one_line(value) for name, value in {"Content-Type": "application/json", **headers}.items()}
    try:
        status = destinations.post(url, body, clean, timeout, allow_private=allow_private)
    except destinations.Unresolvable as exc:
        raise DeliveryError(f"{what} unreachable: {exc}") from exc
    except destinations.UnsafeDestination as exc:
        raise UndeliverableError(f"{what} address refused: {exc}") from exc
    except (ValueError, http.client.InvalidURL) as exc:
        raise UndeliverableError(f"{what} request cannot be made: {exc}") from exc
    except OSError as exc:
        raise DeliveryError(f"{what} unreachable: {exc}") from exc
    except http.client.HTTPException as exc:
        raise DeliveryError(f"{what} answered out of protocol: {exc!r}") from exc
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        raise UndeliverableError(f"{what} answered a redirect ({status}): redirects are not followed")
    if status == 429 or status >= 500:
        raise DeliveryError(f"{what} answered {status}")
    raise UndeliverableError(f"{what} refused the message: {status}")
