"""A local SMS/WhatsApp gateway: an HTTP listener that keeps every message posted to it.

``make run`` starts one so SMS and WhatsApp messages have somewhere real to go (each is
appended to ``<dir>/messages.jsonl`` and announced on stdout); ``GET /messages`` answers
them as JSON (``{"items": [...]}``, oldest first, ``?to=+91...`` for one recipient's),
including those kept in the folder before a restart. Tests use ``GatewaySink`` in-process
and can make it answer 503 to play an outage.
"""
from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


class GatewaySink:
    def __init__(self, host: str = "127.0.0.1", port: int = 2526, folder: Path | None = None):
        """``port=0`` takes any free port; ``url`` says which."""
        kept = folder / "messages.jsonl" if folder is not None else None
        self.messages: list[dict] = [json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines() if line.strip()] if kept and kept.exists() else []
        self.down = False
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if sink.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    message = {**json.loads(body), "correlation_id": self.headers.get("X-Correlation-ID"),
                               "idempotency_key": self.headers.get("Idempotency-Key")}
                except ValueError:
                    message = {}
                if not message.get("to") or not message.get("text"):
                    self.send_response(422)
                    self.end_headers()
                    return
                with sink.lock:
                    sink.messages.append(message)
                if folder is not None:
                    folder.mkdir(parents=True, exist_ok=True)
                    with open(folder / "messages.jsonl", "a", encoding="utf-8") as out:
                        out.write(json.dumps(message, ensure_ascii=False) + "\n")
                    print(f"{message.get('channel')} to {message.get('to')}: {message.get('text')}", flush=True)
                self.send_response(202)
                self.end_headers()

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path != "/messages":
                    self.send_response(404)
                    self.end_headers()
                    return
                to = parse_qs(url.query).get("to")
                items = [m for m in sink.received() if not to or m.get("to") in to]
                body = json.dumps({"items": items}, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/messages"

    def received(self) -> list[dict]:
        with self.lock:
            return list(self.messages)

    def start(self) -> "GatewaySink":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2526)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    sink = GatewaySink(port=args.port, folder=args.dir)
    print(f"SMS/WhatsApp gateway sink on {sink.url}, keeping messages in {args.dir}", flush=True)
    try:
        sink.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
