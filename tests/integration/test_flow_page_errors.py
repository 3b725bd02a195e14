"""When Kafka cannot be read, the flow page says so with the reason instead of showing
"loading..." forever, and its data call answers 503 problem+json."""
import socket
import threading

from werkzeug.serving import make_server

from ops.flow import create_app
from tests.integration.test_flow_page import rendered


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_flow_page_shows_why_it_has_no_data_when_kafka_cannot_be_read(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{unused_port()}")  # nobody listens there
    app = create_app()
    answer = app.test_client().get("/flow/data")
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    assert "bootstrap" in answer.get_json()["detail"]

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = rendered(f"http://127.0.0.1:{server.server_port}/flow")
    finally:
        server.shutdown()
    assert 'data-state="error"' in html and "Cannot show the flows:" in html and "bootstrap" in html
    assert '<div id="flows">loading…</div>' not in html and '<div id="flows"></div>' in html
