"""Email over SMTP, plain text with an HTML alternative."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from services.notifications.channels import DeliveryError, UndeliverableError
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered


class SmtpChannel:
    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, notification: Notification, rendered: Rendered) -> None:
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
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise UndeliverableError(f"recipient refused: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(repr(exc)) from exc
