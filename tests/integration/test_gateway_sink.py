"""The local SMS/WhatsApp gateway sink answers ``GET /messages`` (README: "SMS/WhatsApp
gateway sink | http://127.0.0.1:2526/messages") with what it was sent, also after a restart."""
from __future__ import annotations

import requests

from deploy.local.gatewaysink import GatewaySink


def _send(sink: GatewaySink, to: str, text: str) -> None:
    assert requests.post(sink.url, json={"channel": "sms", "to": to, "text": text}, timeout=5).status_code == 202


def test_get_messages_lists_what_was_sent_and_keeps_it_across_a_restart(tmp_path):
    sink = GatewaySink(port=0, folder=tmp_path).start()
    try:
        _send(sink, "+919876543210", "Your BSM verification code is 123456")
        _send(sink, "+919812345678", "आपका आवेदन स्वीकृत")
        listed = requests.get(sink.url, timeout=5)
        assert listed.status_code == 200 and listed.headers["Content-Type"].startswith("application/json")
        assert [m["to"] for m in listed.json()["items"]] == ["+919876543210", "+919812345678"]
        assert listed.json()["items"][1]["text"] == "आपका आवेदन स्वीकृत"
        assert [m["text"] for m in requests.get(sink.url, params={"to": "+919876543210"}, timeout=5).json()["items"]] == ["Your BSM verification code is 123456"]
        assert requests.get(sink.url.replace("/messages", "/other"), timeout=5).status_code == 404
    finally:
        sink.stop()

    again = GatewaySink(port=0, folder=tmp_path).start()
    try:
        assert len(requests.get(again.url, timeout=5).json()["items"]) == 2
    finally:
        again.stop()
