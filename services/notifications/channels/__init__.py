"""Delivery channels behind one interface: ``send(notification, rendered)``.

A channel raises ``DeliveryError`` for a failure worth retrying and
``UndeliverableError`` for one that never will succeed (a malformed address, a message
that cannot be built from what the person entered, a permanent refusal).
"""
from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered

WEB_SCHEMES = frozenset({"http", "https"})


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


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float, what: str) -> None:
    """POST ``body`` and classify the failure: 429 and 5xx are worth retrying, another 4xx
    never succeeds, an unreachable endpoint is retried. A URL that is not http(s) or
    cannot be requested is ``UndeliverableError``. Header values are sent as ``one_line``
    of what is given, so none can add a header."""
    clean = {name: one_line(value) for name, value in {"Content-Type": "application/json", **headers}.items()}
    try:
        if urllib.parse.urlsplit(url).scheme.lower() not in WEB_SCHEMES:
            raise UndeliverableError(f"{what} address is not an http(s) URL")
        request = urllib.request.Request(url, data=body, headers=clean, method="POST")
        with urllib.request.urlopen(request, timeout=timeout):
            return
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise DeliveryError(f"{what} answered {exc.code}") from exc
        raise UndeliverableError(f"{what} refused the message: {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{what} unreachable: {exc}") from exc
    except (ValueError, http.client.InvalidURL) as exc:
        raise UndeliverableError(f"{what} request cannot be made: {exc}") from exc
    except http.client.HTTPException as exc:
        raise DeliveryError(f"{what} answered out of protocol: {exc!r}") from exc
