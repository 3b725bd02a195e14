"""An event notifications can never handle (a meeting in a time zone that does not exist)
goes to its dead-letter topic with the reason, is not recorded as handled, leaves nothing
behind, and the consumer goes on with the next one."""
import threading
from dataclasses import replace

import pytest

from shared.consumer import PROCESSED, EventConsumer, dead_letter_topic
from shared.contracts import matching as matching_events
from shared.contracts import registration as catalogue
from shared.kafka_io import ensure_topics, make_consumer, make_producer, send_event
from shared.mongo import connect
from services.matching import messages as matching_messages
from services.notifications.handlers import build_handlers
from services.notifications.waiting import WAITING
from services.registration.messages import meet_event, participant_event
from tests.helpers import read_topic, wait_until
from tests.integration.test_notifications_any_order import BUYERS, MEET, SELLERS, meeting

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("zone", ["IST", "GMT+5:30", "Mars/Olympus"])
def test_a_meeting_in_an_unknown_time_zone_is_dead_lettered_and_not_counted_handled(settings_for, zone):
    settings = settings_for("notifications")
    db = connect(settings)
    topic, group = settings.topic(matching_events.TOPIC), f"{settings.topic_prefix}notifications"
    dlq = dead_letter_topic(settings.topic_prefix, "notifications")
    ensure_topics(settings, [topic, dlq])
    producer = make_producer(settings)
    good = matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, meeting("s1", "b1"))
    valid = matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, meeting("s2", "b2"))
    poisoned = replace(valid, data={**valid.data, "timezone": zone})
    for event in (meet_event(catalogue.MEET_CREATED, MEET), *(participant_event(catalogue.PARTICIPANT_REGISTERED, p) for p in SELLERS + BUYERS),
                  poisoned, good):
        send_event(producer, topic, event)
    loop = EventConsumer(make_consumer(settings, group, [topic]), producer, db, "notifications", build_handlers(db, settings), dlq,
                         backoff_seconds=0.05, service="notifications")
    stop = threading.Event()
    worker = threading.Thread(target=loop.run, args=(stop, 100), daemon=True)
    worker.start()
    try:
        wait_until(lambda: db["notifications"].count_documents({"kind": "meeting_reminder", "context.meeting_id": good.data["meeting_id"]}) == 5,
                   timeout=60, what="the good meeting's reminders, after the poisoned one")
        [dead] = wait_until(lambda: read_topic(settings, dlq, expect=1, timeout=10, settle=0.5), timeout=60, what="the dead letter")
    finally:
        stop.set()
        worker.join(timeout=15)
        loop.consumer.close()
        producer.close()
    headers = dict(dead.headers)
    assert headers["dlq_reason"] == b"rejected" and headers["ce_id"] == poisoned.id.encode()
    assert b"timezone" in headers["dlq_error"] and zone.encode() in headers["dlq_error"]
    assert db[PROCESSED].find_one({"_id": f"notifications:{poisoned.id}"}) is None
    assert db[PROCESSED].find_one({"_id": f"notifications:{good.id}"}) is not None
    assert db["notifications"].count_documents({"source_event_id": poisoned.id}) == 0
    assert db["meetings"].find_one({"_id": poisoned.data["meeting_id"]}) is None and db[WAITING].count_documents({}) == 0
