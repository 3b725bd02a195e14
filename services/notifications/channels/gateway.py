"""SMS and WhatsApp through an HTTP gateway, so any provider can be plugged in.

The platform POSTs ``{"channel", "to", "text", "reference"}`` as JSON to the configured
endpoint (an adapter in front of the provider, or the provider itself if it takes this
shape), configured by the operator (so it may be on a private address). 2xx is sent; 429 and 5xx are worth retrying; any other 4xx will never succeed.
"""
from __future__ import annotations

import json

from services.notifications.channels import post_json
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered


class GatewayChannel:
    def __init__(self, name: str, url: str, token: str | None = None, timeout: float = 10.0):
        self.name, self.url, self.token, self.timeout = name, url, token, timeout

    def send(self, notification: Notification, rendered: Rendered) -> None:
        body = json.dumps({"channel": self.name, "to": notification.address, "text": rendered.text, "reference": notification.id}).encode()
        headers = {"Idempotency-Key": notification.id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if notification.correlation_id:
            headers["X-Correlation-ID"] = notification.correlation_id
        post_json(self.url, body, headers, self.timeout, "gateway", allow_private=True)
