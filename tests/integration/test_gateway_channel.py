"""The SMS/WhatsApp gateway channel against a real HTTP listener."""
from dataclasses import replace

import pytest

from deploy.local.gatewaysink import GatewaySink
from services.notifications.channels import DeliveryError, UndeliverableError
from services.notifications.channels.gateway import GatewayChannel
from services.notifications.domain import recipients
from services.notifications.rendering import Renderer
from shared import metrics
from shared.config import DEV_CODE_KEY
from shared.one_time_codes import CodeSealer

SEALER = CodeSealer(DEV_CODE_KEY)
GATEWAY_PORT = 18127

DATA = {"participant_id": "p1", "name": "Haleema", "channel": "sms", "address": "+919811000001", "preferred_language": "en"}


@pytest.fixture
def sink():
    gateway = GatewaySink(port=GATEWAY_PORT).start()
    yield gateway
    gateway.stop()


def send(url, channel="sms", resends=0, **overrides):
    [note] = recipients.verification_code("e1", "corr-7", {**DATA, "sealed_code": SEALER.seal("654321"), "channel": channel, **overrides})
    note = replace(note, resends=resends)
    GatewayChannel(channel, url, timeout=2).send(note, Renderer(sealer=SEALER).render(note.kind, note.language, note.context, channel))
    return note


def test_a_message_reaches_the_gateway_with_its_correlation_id(sink):
    send(sink.url)
    [message] = sink.received()
    assert (message["channel"], message["to"], message["correlation_id"]) == ("sms", "+919811000001", "corr-7")
    assert "654321" in message["text"]


def test_a_gateway_outage_is_worth_retrying(sink):
    sink.down = True
    with pytest.raises(DeliveryError, match="503"):
        send(sink.url)
    with pytest.raises(DeliveryError, match="unreachable"):
        send("http://127.0.0.1:1/messages")


def test_a_refusal_is_final(sink):
    with pytest.raises(UndeliverableError, match="422"):
        send(sink.url, address="")
    assert sink.received() == []


def segments_counted(language: str, encoding: str) -> float:
    return metrics.SMS_SEGMENTS.labels("verification_code", language, encoding)._value.get()


def test_each_sms_reports_its_segments_and_the_metric_counts_them(sink):
    before = segments_counted("ur", "UCS-2"), segments_counted("en", "GSM-7")
    send(sink.url, preferred_language="ur")
    send(sink.url)
    urdu, english = sink.received()
    assert (urdu["segments"], urdu["encoding"]) == (1, "UCS-2") and "654321" in urdu["text"]
    assert (english["segments"], english["encoding"]) == (1, "GSM-7")
    assert (segments_counted("ur", "UCS-2"), segments_counted("en", "GSM-7")) == (before[0] + 1, before[1] + 1)


def test_whatsapp_messages_are_not_counted_as_sms_segments(sink):
    send(sink.url, channel="whatsapp")
    [message] = sink.received()
    assert message["channel"] == "whatsapp" and "segments" not in message


def test_every_attempt_carries_the_notifications_id_and_a_staff_resend_a_new_one(sink):
    first, again, resent = send(sink.url), send(sink.url), send(sink.url, resends=2)
    assert first.id == again.id == resent.id
    assert [(m["reference"], m["idempotency_key"]) for m in sink.received()] == [(first.id, first.id)] * 2 + [(f"{first.id}.2", f"{first.id}.2")]
