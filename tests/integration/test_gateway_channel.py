"""The SMS/WhatsApp gateway channel against a real HTTP listener."""
import pytest

from deploy.local.gatewaysink import GatewaySink
from services.notifications.channels import DeliveryError, UndeliverableError
from services.notifications.channels.gateway import GatewayChannel
from services.notifications.domain import recipients
from services.notifications.rendering import Renderer
from shared.config import DEV_CODE_KEY
from shared.one_time_codes import CodeSealer

SEALER = CodeSealer(DEV_CODE_KEY)
GATEWAY_PORT = 18127

DATA = {"participant_id": "p1", "name": "Haleema", "channel": "sms", "address": "+919811000001", "preferred_language": "en", "sealed_code": SEALER.seal("654321")}


@pytest.fixture
def sink():
    gateway = GatewaySink(port=GATEWAY_PORT).start()
    yield gateway
    gateway.stop()


def send(url, **overrides):
    [note] = recipients.verification_code("e1", "corr-7", {**DATA, **overrides})
    GatewayChannel("sms", url, timeout=2).send(note, Renderer(sealer=SEALER).render(note.kind, note.language, note.context))


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
