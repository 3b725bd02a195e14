"""Notifications delivered per second to a local SMTP server, against a bare SMTP loop.

Baseline in the same run: ``smtplib`` sending the same number of messages one connection
at a time (what the email channel does). The dispatcher adds rendering, claiming with a
lease in MongoDB and recording the outcome with its event; the ratio says what that costs.
"""
from __future__ import annotations

import smtplib
import time
import uuid
from email.message import EmailMessage

from deploy.local.mailsink import MailSink
from shared.config import load_settings
from services.notifications.__main__ import build_dispatcher
from services.notifications.domain import recipients

MESSAGES = 200
SMTP_PORT = 48025


def run(env: dict[str, str], messages: int = MESSAGES) -> dict:
    tag = uuid.uuid4().hex[:6]
    settings = load_settings("notifications", {**env, "NOTIFICATIONS_MONGODB_DATABASE": f"bench{tag}", "SMTP_PORT": str(SMTP_PORT)})
    sink = MailSink(port=SMTP_PORT).start()
    try:
        started = time.perf_counter()
        for n in range(messages):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = settings.mail_from, f"buyer{n}@example.in", "Your registration has been received"
            message.set_content("Thank you for registering.")
            with smtplib.SMTP("127.0.0.1", SMTP_PORT) as smtp:
                smtp.send_message(message)
        baseline = time.perf_counter() - started

        dispatcher = build_dispatcher(settings)
        for n in range(messages):
            data = {"participant_id": f"p{n}", "name": f"Buyer {n}", "role": "buyer", "preferred_language": "en", "email": f"buyer{n}@example.in"}
            for notification in recipients.registration_received(f"bench-{tag}-{n}", None, data):
                dispatcher.store.add(notification)
        started = time.perf_counter()
        sent = 0
        while dispatcher.dispatch_once():
            sent += 1
        delivered = time.perf_counter() - started
    finally:
        sink.stop()
        dispatcher.store.collection.database.client.drop_database(settings.database_name)
    return {
        "benchmark": "notifications",
        "messages": messages,
        "delivered": sent,
        "bare_smtp_per_s": round(messages / baseline, 1),
        "dispatcher_per_s": round(sent / delivered, 1),
        "dispatcher_over_bare_smtp": round((sent / delivered) / (messages / baseline), 3),
    }
