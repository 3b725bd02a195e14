"""SMS and WhatsApp through an HTTP gateway, so any provider can be plugged in.

The platform POSTs ``{"channel", "to", "text", "reference"}`` as JSON to the configured
endpoint (an adapter in front of the provider, or the provider itself if it takes this
shape), configured by the operator (so it may be on a private address). ``reference`` and
the ``Idempotency-Key`` header are the message's ``delivery_id``: the same at every
attempt, a new one for a resend staff ask for. An SMS also says
``segments`` and ``encoding`` (how many segments the text takes, as GSM-7 or UCS-2:
``domain/sms.py``), and the segments of every SMS sent are counted in
``bsm_sms_segments_total``. 2xx is sent; 429 and 5xx are worth retrying; any other 4xx
will never succeed.
"""
from __future__ import annotations

import json

from shared import metrics

from services.notifications.channels import post_json
from services.notifications.domain.notifications import Notification
from services.notifications.domain.sms import sms_segments
from services.notifications.rendering import Rendered


class GatewayChannel:
    def __init__(self, name: str, url: str, token: str | None = None, timeout: float = 10.0):
        self.name, self.url, self.token, self.timeout = name, url, token, timeout

    def send(self, notification: Notification, rendered: Rendered) -> None:
        message = {"channel": self.name, "to": notification.address, "text": rendered.text, "reference": notification.delivery_id}
        segments = sms_segments(rendered.text) if self.name == "sms" else None
        if segments is not None:
            message.update(segments=segments.count, encoding=segments.encoding)
        body = json.dumps(message).encode()
        headers = {"Idempotency-Key": notification.delivery_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if notification.correlation_id:
            headers["X-Correlation-ID"] = notification.correlation_id
        post_json(self.url, body, headers, self.timeout, "gateway", allow_private=True)
        if segments is not None:
            metrics.SMS_SEGMENTS.labels(notification.kind, rendered.language, segments.encoding).inc(segments.count)
