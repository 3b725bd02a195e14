"""The live flow page renders in a real headless Chromium with the live numbers."""
import shutil
import subprocess
import tempfile
import threading

import pytest
from kafka import KafkaProducer
from werkzeug.serving import make_server

from ops.flow import create_app
from shared.consumer import dead_letter_topic
from shared.envelope import new_event
from shared.kafka_io import ensure_topics, make_producer, send_event

pytestmark = pytest.mark.stack


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: `make test` installs it (deploy/local/ensure_chromium.sh)"
    return found


def rendered(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             "--virtual-time-budget=6000", "--dump-dom", url],
            capture_output=True, text=True, timeout=90,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_flow_page_shows_rates_lag_dead_letters_and_recent_events(settings_for, isolation, monkeypatch):
    for key, value in isolation.items():
        monkeypatch.setenv(key, value)
    settings = settings_for("registration")
    topic, dlq = settings.topic("registration.events"), dead_letter_topic(settings.topic_prefix, "matching")
    ensure_topics(settings, [topic, dlq, settings.topic("matching.events"), settings.topic("notifications.events")])
    producer = make_producer(settings)
    event = new_event("bsm.registration.participant.registered.v1", "/bsm/registration", "p-flow", {"participant_id": "p-flow"})
    send_event(producer, topic, event)
    producer.close()
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    raw.send(dlq, value=b"poison", headers=[("dlq_reason", b"invalid-envelope")]).get(timeout=10)
    raw.close()

    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = rendered(f"http://127.0.0.1:{port}/flow")
    finally:
        server.shutdown()
    exposition = app.test_client().get("/metrics").get_data(as_text=True)
    assert f'bsm_topic_messages{{topic="{topic}"}} 1.0' in exposition
    assert 'data-topic="registration.events"' in html
    assert "registration.events (1)" in html
    assert 'class="dead" data-group="matching" data-count="1"' in html
    assert "bsm.registration.participant.registered.v1" in html and "p-flow" in html
    assert "updated " in html
