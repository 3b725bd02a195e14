"""Text a person entered reaches an HTTP channel's headers only on one line: the gateway
gets the message, with no header added, instead of the request failing for good."""
import pytest

from deploy.local.gatewaysink import GatewaySink
from services.notifications.channels.gateway import GatewayChannel
from services.notifications.domain import recipients
from services.notifications.rendering import Renderer
from shared.config import DEV_CODE_KEY
from shared.one_time_codes import CodeSealer

SEALER = CodeSealer(DEV_CODE_KEY)

DATA = {"participant_id": "p1", "name": "Evil\nX-Injected: yes", "channel": "sms", "address": "+919811000001", "preferred_language": "en"}


@pytest.fixture
def sink():
    gateway = GatewaySink(port=0).start()
    yield gateway
    gateway.stop()


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\r\n "])
def test_a_correlation_id_with_a_line_break_reaches_the_gateway_on_one_line(sink, brk):
    [note] = recipients.verification_code("e1", f"corr-7{brk}X-Injected: yes", {**DATA, "sealed_code": SEALER.seal("654321")})
    GatewayChannel("sms", sink.url, timeout=2).send(note, Renderer(sealer=SEALER).render(note.kind, note.language, note.context))
    [message] = sink.received()
    assert message["correlation_id"] == "corr-7 X-Injected: yes"
    assert "654321" in message["text"]
