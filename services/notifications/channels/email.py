"""Email over SMTP (RFC 5322 and MIME): plain text with an HTML alternative, and the
calendar file when the message has one.

The message is built with the standard library's ``email`` package (``EmailMessage``),
with a Date (``formatdate``, local time with its offset) and a Message-ID naming the
notification on the configured domain (the same at every attempt, RFC 5322 3.6.4: a copy
sent again after a stop between the server's acceptance and its record is the same
message, and mail stores that keep one message per Message-ID show it once; a resend
staff ask for is a new message, with an id of its own: ``Notification.delivery_id``).
Addresses are ``email.headerregistry.Address`` objects (which refuse line breaks and
anything that is not one plain address), text a person entered reaches a header only as
``one_line`` of it, and the message is flattened under ``email.policy.SMTP``
(channels/mail_policy.py), which refuses a header value with a line break and encodes
non-ASCII subjects (RFC 2047) without losing a space. So a name such as
``"Evil\\nX-Injected: yes"`` stays inside its subject line, and a message that cannot be
built is ``UndeliverableError``, never a crash or a retry. The calendar file is a
``text/calendar; charset=utf-8; method=...`` attachment (RFC 6047).

Each sending thread keeps its SMTP connection open between messages, as a relay takes many
messages per connection: connecting, greeting and quitting cost more than a message. A
kept connection the server has dropped is replaced once; any failure closes it.
"""
from __future__ import annotations

import smtplib
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from shared.calendars import calendar_method

from services.notifications.channels import DeliveryError, UndeliverableError, one_line
from services.notifications.channels.mail_policy import MAIL_POLICY
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered


@dataclass(frozen=True)
class Built:
    """A message ready for the wire: envelope sender and recipient, and its bytes (CRLF)."""

    sender: str
    recipient: str
    data: bytes


def mail_address(text: str, display_name: str = "") -> Address:
    """``text`` (one plain address, ``local@domain``) as an ``Address`` whose domain is in
    its ASCII (IDNA) form. Raises ``ValueError`` for anything else: an empty string, a
    list, a name with the address, a line break, a non-ASCII local part."""
    try:
        parsed = Address(addr_spec=text)
        domain = parsed.domain.encode("idna").decode("ascii")
        if not parsed.username or not domain:
            raise ValueError("an address needs a local part and a domain")
        return Address(display_name=one_line(display_name), username=parsed.username, domain=domain)
    except (ValueError, IndexError, UnicodeError) as exc:
        raise ValueError(f"not one plain email address: {text!r} ({exc})") from exc


def build_email(notification: Notification, rendered: Rendered, sender: Address, message_id_domain: str | None = None,
                now: datetime | None = None) -> Built:
    """The email for ``notification``: From ``sender``, To its address, dated ``now`` (the
    current time if None) in the machine's local time, a Message-ID
    ``<delivery id@message_id_domain>`` (the sender's domain if None; ``delivery_id``), the
    rendered subject on one line, text with an HTML alternative, and the calendar file if
    the context has one (``ics``). Raises ``UndeliverableError`` when it cannot be built
    (the address is not one plain address, the calendar is not iCalendar, or the message
    cannot be flattened)."""
    try:
        recipient = mail_address(notification.address)
    except ValueError as exc:
        raise UndeliverableError(str(exc)) from exc
    try:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = sender
        message["To"] = recipient
        message["Date"] = formatdate(now.timestamp() if now else None, localtime=True)
        message["Subject"] = one_line(rendered.subject)
        message["Message-ID"] = f"<{notification.delivery_id}@{message_id_domain or sender.domain}>"  # hex and digits: a msg-id as it stands
        message["X-BSM-Notification-ID"] = one_line(notification.id)
        if notification.correlation_id:
            message["X-Correlation-ID"] = one_line(notification.correlation_id)
        message.set_content(rendered.text)
        if rendered.html:
            message.add_alternative(rendered.html, subtype="html")
        if notification.context.get("ics"):
            calendar = str(notification.context["ics"])
            message.add_attachment(calendar, subtype="calendar", filename="bsm-meetings.ics", params={"method": calendar_method(calendar)})
        return Built(sender.addr_spec, recipient.addr_spec, message.as_bytes())
    except (ValueError, TypeError, LookupError) as exc:  # email.errors.MessageError and header defects are ValueErrors or close kin
        raise UndeliverableError(f"the email cannot be built: {exc!r}") from exc


class SmtpChannel:
    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0, message_id_domain: str = ""):
        """``sender``: ``"Name <address>"`` or a plain address (``MAIL_FROM``); raises
        ``ValueError`` if it is not one address. ``message_id_domain``: the right-hand side
        of every Message-ID (``MAIL_MESSAGE_ID_DOMAIN``), the sender's domain when empty."""
        self.host, self.port, self.timeout = host, port, timeout
        name, address = parseaddr(sender)
        self.sender = mail_address(address or sender, name)
        self.message_id_domain = message_id_domain or self.sender.domain
        self.hostname = socket.getfqdn()  # what we greet the server as, looked up once
        self.connections = threading.local()

    def send(self, notification: Notification, rendered: Rendered) -> None:
        """Raises ``UndeliverableError`` when the message cannot be built, the server
        refuses the recipient or the content for good (5xx), ``DeliveryError`` for
        anything worth retrying."""
        built = build_email(notification, rendered, self.sender, self.message_id_domain)
        try:
            self._deliver(built)
        except smtplib.SMTPRecipientsRefused as exc:
            self._close()
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise UndeliverableError(f"recipient refused: {exc.recipients}") from exc
            raise DeliveryError(f"recipient deferred: {exc.recipients}") from exc
        except (smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as exc:
            self._close()
            if getattr(exc, "smtp_code", 500) >= 500:
                raise UndeliverableError(f"message refused: {exc!r}") from exc
            raise DeliveryError(repr(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise DeliveryError(repr(exc)) from exc

    def _deliver(self, built: Built) -> None:
        kept = getattr(self.connections, "smtp", None)
        if kept is not None:
            try:
                kept.sendmail(built.sender, [built.recipient], built.data)
                return
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                self._close()
        self.connections.smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.hostname, timeout=self.timeout)
        self.connections.smtp.sendmail(built.sender, [built.recipient], built.data)

    def _close(self) -> None:
        kept, self.connections.smtp = getattr(self.connections, "smtp", None), None
        if kept is not None:
            try:
                kept.close()
            except OSError:
                pass
