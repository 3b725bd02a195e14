from datetime import datetime, timezone

from shared.envelope import Event
from shared.outbox import OUTBOX, PENDING, new_document, outbox_entry, stored_events, with_outbox


def event(n: int) -> Event:
    return Event(type="bsm.t.happened.v1", source="/t", subject="s", data={"n": n}, time=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_new_document_carries_its_events_and_their_count():
    events = [event(1), event(2)]
    doc = new_document({"_id": "a", "name": "x"}, [outbox_entry("topic", e) for e in events])
    assert doc[PENDING] == 2
    assert stored_events(doc) == events
    assert doc[OUTBOX][0]["topic"] == "topic"


def test_an_entry_holds_its_event_as_one_string_of_json():
    [entry] = new_document({"_id": "a"}, [outbox_entry("topic", event(1))])[OUTBOX]
    assert set(entry) == {"topic", "event"} and isinstance(entry["event"], str)


def test_entries_stored_before_the_text_form_are_still_read():
    older = {"topic": "topic", "event": {"id": "e-0", "type": "bsm.t.happened.v1", "source": "/t", "subject": "s", "data": {"n": 0},
                                         "time": datetime(2026, 1, 1), "correlation_id": "c", "causation_id": None}}
    newer = event(1)
    doc = {"_id": "a", OUTBOX: [older, outbox_entry("topic", newer)], PENDING: 2}
    assert [(e.id, e.data, e.time.tzinfo) for e in stored_events(doc)][0] == ("e-0", {"n": 0}, timezone.utc)
    assert stored_events(doc)[1] == newer
    assert stored_events(None) == []


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
