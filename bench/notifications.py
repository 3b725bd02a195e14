"""The dispatcher's messages per second to a local SMTP server, against a bare SMTP loop,
on an empty database and with 50,000 sent notifications stored.

The SMTP server is the local mail sink in its own process, as a mail relay would be (in
the benchmark's process its event loop would compete with the senders for the GIL).
Baseline in the same run: ``smtplib`` sending the same number of messages, a connection
per message, one at a time. The dispatcher adds claiming from the due-queue, reading each
notification, rendering and recording each outcome with its event; it sends on a pool of
threads, each keeping its connection open between messages.
Two dispatchers run on two databases, one empty and one holding 50,000 notifications of
sent history: the ratio of their rates says whether the cost of a message grows with the
history. The three take turns, ``ROUNDS`` times, so a busy moment of the machine does not
fall on one of them only; each rate adds its rounds up.
"""
from __future__ import annotations

import multiprocessing
import smtplib
import threading
import time
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from email.message import EmailMessage

from deploy.local.mailsink import MailSink
from shared.config import load_settings
from services.notifications.__main__ import build_dispatcher
from services.notifications.domain import recipients
from services.notifications.domain.notifications import SENT, Notification

MESSAGES = 500
ROUNDS = 3
WARM_UP = 20  # creates the collections, connections and threads before anything is timed
HISTORY = 50_000
SMTP_PORT = 28025


def run(env: dict[str, str], messages: int = MESSAGES, history: int = HISTORY, rounds: int = ROUNDS) -> dict:
    tag = uuid.uuid4().hex[:6]
    databases = {side: f"bench{tag}_{side}" for side in ("empty", "full")}
    sink = Sink(SMTP_PORT)
    dispatchers = {}
    try:
        settings = {side: load_settings("notifications", {**env, "NOTIFICATIONS_MONGODB_DATABASE": database, "SMTP_PORT": str(SMTP_PORT)})
                    for side, database in databases.items()}
        for side, side_settings in settings.items():
            dispatchers[side] = build_dispatcher(side_settings)
        store_history(dispatchers["full"].store, f"bench-{tag}-history", history)
        stored = dispatchers["full"].store.collection.estimated_document_count()
        for side, dispatcher in dispatchers.items():
            dispatch(dispatcher, sink, f"bench-{tag}-{side}-warm-up", WARM_UP)
        seconds = {"bare": 0.0, "empty": 0.0, "full": 0.0}
        delivered = {"empty": 0, "full": 0}
        for round_ in range(rounds):
            seconds["bare"] += bare_smtp(messages, settings["empty"].mail_from)
            for side, dispatcher in dispatchers.items():
                elapsed, count = dispatch(dispatcher, sink, f"bench-{tag}-{side}-{round_}", messages)
                seconds[side] += elapsed
                delivered[side] += count
    finally:
        sink.stop()
        for dispatcher in dispatchers.values():
            dispatcher.store.collection.database.client.drop_database(dispatcher.store.collection.database.name)
    bare, empty, full = rounds * messages / seconds["bare"], delivered["empty"] / seconds["empty"], delivered["full"] / seconds["full"]
    return {
        "benchmark": "dispatcher",
        "messages": messages,
        "rounds": rounds,
        "bare_smtp_per_s": round(bare, 1),
        "dispatcher_per_s": round(empty, 1),
        "dispatcher_over_bare_smtp": round(empty / bare, 3),
        "dispatcher_per_s_with_history": round(full, 1),
        "with_history_over_empty": round(full / empty, 3),
        "notifications_stored": stored,
        "delivered": [delivered["empty"], delivered["full"]],
        "targets": {"dispatcher_over_bare_smtp": ">= 0.5", "with_history_over_empty": ">= 0.8"},
    }


def bare_smtp(messages: int, mail_from: str) -> float:
    """Seconds ``smtplib`` takes to send ``messages`` messages, a connection each."""
    started = time.perf_counter()
    for n in range(messages):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = mail_from, f"buyer{n}@example.in", "Your registration has been received"
        message.set_content("Thank you for registering.")
        with smtplib.SMTP("127.0.0.1", SMTP_PORT) as smtp:
            smtp.send_message(message)
    return time.perf_counter() - started


class Sink:
    """``deploy.local.mailsink`` in a child process; ``count()`` is how many messages it
    has received."""

    def __init__(self, port: int):
        context = multiprocessing.get_context("spawn")
        self.received, self.ready, self.done = context.Value("i", 0), context.Event(), context.Event()
        self.process = context.Process(target=serve_sink, args=(port, self.received, self.ready, self.done), daemon=True)
        self.process.start()
        self.ready.wait(30)

    def count(self) -> int:
        return self.received.value

    def stop(self) -> None:
        self.done.set()
        self.process.join(timeout=10)


def serve_sink(port: int, received, ready, done) -> None:
    sink = MailSink(port=port).start()
    ready.set()
    while not done.wait(0.005):
        received.value = len(sink.keeper.messages)
    sink.stop()


def dispatch(dispatcher, sink: Sink, prefix: str, messages: int) -> tuple[float, int]:
    """Record ``messages`` registration emails, then time the dispatcher sending them all
    and recording every outcome (until nothing is due or in flight): (seconds, how many
    the sink received)."""
    for n in range(messages):
        data = {"participant_id": f"p{n}", "name": f"Buyer {n}", "role": "buyer", "preferred_language": "en", "email": f"buyer{n}@example.in"}
        for notification in recipients.registration_received(f"{prefix}-{n}", None, data):
            dispatcher.store.add(notification)
    before = sink.count()
    started = time.perf_counter()
    dispatcher.run(threading.Event(), idle_seconds=0.05, until_idle=True)
    return time.perf_counter() - started, sink.count() - before


def store_history(store, prefix: str, count: int, chunk: int = 5_000) -> None:
    """``count`` sent notifications, inserted directly (as months of history would be)."""
    now = datetime.now(timezone.utc)
    for start in range(0, count, chunk):
        docs = []
        for n in range(start, min(count, start + chunk)):
            note = Notification(kind="registration_received", channel="email", recipient_id=f"h{n}", address=f"h{n}@example.in", language="en",
                                context={"name": f"Buyer {n}", "role": "buyer"}, source_event_id=f"{prefix}-{n}", status=SENT, attempts=1, sent_at=now)
            docs.append({"_id": note.id, **asdict(note), "rendered": {"subject": "Your registration has been received", "text": "Thank you."}})
        store.collection.insert_many(docs, ordered=False)
