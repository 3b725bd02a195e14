"""Email over SMTP, plain text with an HTML alternative.

Each sending thread keeps its SMTP connection open between messages, as a relay takes many
messages per connection: connecting, greeting and quitting cost more than a message. A
kept connection the server has dropped is replaced once; any failure closes it.
"""
from __future__ import annotations

import smtplib
import socket
import threading
from email.message import EmailMessage
from email.utils import make_msgid

from services.notifications.channels import DeliveryError, UndeliverableError
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered


class SmtpChannel:
    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        self.hostname = socket.getfqdn()  # what we greet the server as, looked up once
        self.connections = threading.local()

    def send(self, notification: Notification, rendered: Rendered) -> None:
        """Raises ``UndeliverableError`` when the server refuses the recipient,
        ``DeliveryError`` for anything worth retrying."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.address
        message["Subject"] = rendered.subject
        message["Message-ID"] = make_msgid(idstring=notification.id, domain="bsm.local")
        message["X-BSM-Notification-ID"] = notification.id
        if notification.correlation_id:
            message["X-Correlation-ID"] = notification.correlation_id
        message.set_content(rendered.text)
        if rendered.html:
            message.add_alternative(rendered.html, subtype="html")
        if notification.context.get("ics"):
            message.add_attachment(notification.context["ics"].encode(), maintype="text", subtype="calendar", filename="bsm-meetings.ics")
        try:
            self._deliver(message)
        except smtplib.SMTPRecipientsRefused as exc:
            self._close()
            raise UndeliverableError(f"recipient refused: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise DeliveryError(repr(exc)) from exc

    def _deliver(self, message: EmailMessage) -> None:
        kept = getattr(self.connections, "smtp", None)
        if kept is not None:
            try:
                kept.send_message(message)
                return
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                self._close()
        self.connections.smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.hostname, timeout=self.timeout)
        self.connections.smtp.send_message(message)

    def _close(self) -> None:
        kept, self.connections.smtp = getattr(self.connections, "smtp", None), None
        if kept is not None:
            try:
                kept.close()
            except OSError:
                pass
