"""The operator CLI on the real stack: a poisoned message is dead-lettered, shows up in
``bsm ops dlq``, and a replay after the fix is processed exactly once."""
import json
import threading

import pytest

from ops import cli
from shared.consumer import EventConsumer, dead_letter_topic
from shared.envelope import Event, new_event
from shared.kafka_io import ensure_topics, make_consumer, make_producer, send_event
from shared.mongo import connect
from tests.helpers import wait_until

pytestmark = pytest.mark.stack
KIND = "bsm.registration.participant.registered.v1"


def run_cli(capsys, monkeypatch, env, *args):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["ops", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_dead_letters_are_shown_and_a_replay_after_the_fix_is_processed_once(settings_for, isolation, capsys, monkeypatch):
    settings = settings_for("matching")
    db = connect(settings)
    topic, dlq = settings.topic("registration.events"), dead_letter_topic(settings.topic_prefix, "matching")
    ensure_topics(settings, [topic, dlq])
    fixed = threading.Event()
    effects = db["effects"]

    def handler(event: Event) -> None:
        if not fixed.is_set():
            raise ValueError("district 'Gotham' unknown")  # the bug, until the fix is deployed
        effects.insert_one({"event_id": event.id})

    producer = make_producer(settings)
    stop = threading.Event()
    consumer = make_consumer(settings, f"{settings.topic_prefix}matching", [topic])
    loop = EventConsumer(consumer, producer, db, "matching", {KIND: handler}, dlq, max_attempts=2, backoff_seconds=0.01)
    worker = threading.Thread(target=loop.run, args=(stop, 100), daemon=True)
    worker.start()
    try:
        poisoned = new_event(KIND, "/bsm/registration", "p-1", {"participant_id": "p-1"})
        send_event(producer, topic, poisoned)
        env = {**isolation}
        dead = wait_until(lambda: run_cli(capsys, monkeypatch, env, "dlq", "matching"), what="the dead letter")
        [letter] = dead
        assert letter["id"] == poisoned.id
        assert letter["dead_letter"]["dlq_reason"] == "handler-failed" and "Gotham" in letter["dead_letter"]["dlq_error"]
        assert letter["dead_letter"]["dlq_origin_topic"] == topic
        assert effects.count_documents({}) == 0

        fixed.set()
        [replayed] = run_cli(capsys, monkeypatch, env, "replay", "matching")
        assert replayed["event_id"] == poisoned.id and replayed["to"] == topic
        wait_until(lambda: effects.count_documents({}) == 1, what="the replayed event handled")
        run_cli(capsys, monkeypatch, env, "replay", "matching")  # replayed twice by mistake
        wait_until(lambda: db["processed_events"].count_documents({}) >= 1, what="ledger")
        assert effects.count_documents({}) == 1

        lag = run_cli(capsys, monkeypatch, env, "lag")
        assert {row["topic"] for row in lag} == {topic}
        topics = {row["topic"]: row for row in run_cli(capsys, monkeypatch, env, "topics")}
        assert topics[topic]["messages"] == 3 and topics[dlq]["messages"] == 1
        story = run_cli(capsys, monkeypatch, env, "trace", poisoned.correlation_id)
        assert [row["what"] for row in story].count(KIND) == 4  # the original, its dead letter, two replays
        assert "handled by matching" in [row["what"] for row in story]
    finally:
        stop.set()
        worker.join(timeout=15)
        consumer.close()
        producer.close()
