"""How fast the outbox relay publishes, against bare producer sends in the same run.

Baseline: the same events sent straight to Kafka with the same producer, a batch at a
time with one wait for the acknowledgements (what the relay does). The ratio
relay/baseline says what the outbox costs: per document a pointer read, the document
read, the removal write and the pointer delete. The events are written through
``outbox.insert_one`` first (not timed), so their pointers exist as in production.
"""
from __future__ import annotations

import time
import uuid

from shared.config import load_settings
from shared.envelope import new_event
from shared.kafka_io import ensure_topics, make_producer, send_event_async
from shared.mongo import connect
from shared.outbox import OutboxRelay, insert_one, outbox_entry

EVENTS = 500


def run(env: dict[str, str], events: int = EVENTS) -> dict:
    tag = uuid.uuid4().hex[:6]
    settings = load_settings("registration", {**env, "BSM_TOPIC_PREFIX": f"bench{tag}.", "REGISTRATION_MONGODB_DATABASE": f"bench{tag}"})
    topic = settings.topic("bench.events")
    ensure_topics(settings, [topic])
    db = connect(settings)
    producer = make_producer(settings)
    try:
        batch = [new_event("bsm.bench.thing.happened.v1", "/bench", f"thing-{n}", {"n": n}) for n in range(events)]
        started = time.perf_counter()
        for start in range(0, events, 200):
            for future in [send_event_async(producer, topic, event) for event in batch[start:start + 200]]:
                future.get(timeout=30)
        baseline = time.perf_counter() - started

        for n, event in enumerate(batch):
            insert_one(db, "things", {"_id": f"thing-{n}"}, [outbox_entry(topic, event)])
        relay = OutboxRelay(db, ["things"], lambda t, e: send_event_async(producer, t, e))
        started = time.perf_counter()
        published = 0
        while published < events:
            published += relay.relay_once()
        relayed = time.perf_counter() - started
    finally:
        producer.close()
        db.client.drop_database(db.name)
    return {
        "benchmark": "outbox_relay",
        "events": events,
        "baseline_events_per_s": round(events / baseline, 1),
        "relay_events_per_s": round(events / relayed, 1),
        "relay_over_baseline": round(baseline / relayed, 3),
    }
