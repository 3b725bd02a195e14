"""A local SMTP server that keeps every message it receives (aiosmtpd on loopback).

``make run`` starts one so that emails have somewhere real to go; each message is written
to ``<dir>/<n>.eml`` and announced on stdout. Tests use ``MailSink`` in-process.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class _Keeper:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.raw.append(envelope.original_content)
            count = len(self.messages)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{int(time.time() * 1000)}-{count}.eml").write_bytes(envelope.original_content)
            print(f"mail to {', '.join(envelope.rcpt_tos)}: {message['Subject']}", flush=True)
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 2525, folder: Path | None = None):
        self.keeper = _Keeper(folder)
        self.controller = Controller(self.keeper, hostname=host, port=port)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.keeper.lock:
            return list(self.keeper.messages)

    @property
    def raw_messages(self) -> list[bytes]:
        """Each message's bytes as the server received them (after the DATA dot-unstuffing)."""
        with self.keeper.lock:
            return list(self.keeper.raw)

    def start(self) -> "MailSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    sink = MailSink(args.host, args.port, args.dir).start()
    print(f"mail sink on {args.host}:{args.port}, keeping messages in {args.dir}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
