from datetime import datetime, timezone

from shared.envelope import Event
from shared.outbox import OUTBOX, PENDING, new_document, outbox_entry, with_outbox


def event(n: int) -> Event:
    return Event(type="bsm.t.happened.v1", source="/t", subject="s", data={"n": n}, time=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_new_document_carries_its_events_and_their_count():
    doc = new_document({"_id": "a", "name": "x"}, [outbox_entry("topic", event(1)), outbox_entry("topic", event(2))])
    assert doc[PENDING] == 2
    assert [e["event"]["data"]["n"] for e in doc[OUTBOX]] == [1, 2]
    assert doc[OUTBOX][0]["topic"] == "topic"


def test_with_outbox_adds_to_the_same_update_without_touching_the_original():
    update = {"$set": {"name": "y"}, "$inc": {"version": 1}}
    merged = with_outbox(update, [outbox_entry("t", event(1))])
    assert merged["$set"] == {"name": "y"}
    assert merged["$inc"] == {"version": 1, PENDING: 1}
    assert len(merged["$push"][OUTBOX]["$each"]) == 1
    assert update == {"$set": {"name": "y"}, "$inc": {"version": 1}}


def test_with_outbox_without_events_is_the_update_itself():
    update = {"$set": {"a": 1}}
    assert with_outbox(update, []) is update
