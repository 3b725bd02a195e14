import base64
import uuid

from deploy.local import stack
from deploy.local.stack import kafka_cluster_id


def test_a_cluster_id_never_starts_with_a_dash_the_storage_tool_would_read_as_an_option(monkeypatch):
    dashed = base64.urlsafe_b64decode("-" + "A" * 21 + "==")
    draws = iter([uuid.UUID(bytes=dashed), uuid.UUID(int=42)])
    monkeypatch.setattr(stack.uuid, "uuid4", lambda: next(draws))
    chosen = kafka_cluster_id()
    assert not chosen.startswith("-")
    assert len(base64.urlsafe_b64decode(chosen + "==")) == 16


def test_cluster_ids_are_16_bytes_of_url_safe_base64_without_padding():
    for _ in range(200):
        chosen = kafka_cluster_id()
        assert len(chosen) == 22 and "=" not in chosen and not chosen.startswith("-")
