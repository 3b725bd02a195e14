"""The bulk pattern (shared/bulk.py) without I/O: bounds, a report per item, failures per item."""
import pytest
from marshmallow import Schema, fields

from shared.bulk import ItemResult, items_of, run_items
from shared.envelope import new_event
from shared.http import Problem
from shared.outbox import outbox_entry, recording_events


class Item(Schema):
    n = fields.Int(required=True)


class Odd(Exception):
    pass


def act(item):
    if item["n"] % 2:
        raise Odd(f"{item['n']} is odd")
    outbox_entry("topic", new_event("bsm.test.done.v1", "test", str(item["n"]), {}))
    return ItemResult(str(item["n"]), changed=item["n"] > 0)


def test_each_item_is_reported_in_order_with_its_events_or_its_problem():
    report = run_items([{"n": 2}, {"n": 3}, {"n": "x"}, {"n": 0}, 7], Item(), act, {Odd: lambda exc: (409, {"hint": "even please"})})
    assert report["counts"] == {"done": 1, "unchanged": 1, "refused": 3}
    rows = report["items"]
    assert [(r["index"], r["status"], r["id"]) for r in rows] == [(0, "done", "2"), (1, "refused", None), (2, "refused", None), (3, "unchanged", "0"), (4, "refused", None)]
    assert len(rows[0]["event_ids"]) == 1 and rows[0]["event_ids"] != rows[3]["event_ids"]
    assert rows[1]["problem"] == {"status": 409, "title": "Conflict", "detail": "3 is odd", "hint": "even please"}
    assert rows[2]["problem"]["status"] == 422 and "n" in rows[2]["problem"]["errors"]


def test_failures_nobody_foresaw_are_not_swallowed():
    with pytest.raises(Odd):
        run_items([{"n": 1}], Item(), act, {})


def test_the_bound_and_the_envelope():
    assert items_of({"items": [1] * 100}) == [1] * 100
    with pytest.raises(Problem) as too_many:
        items_of({"items": [1] * 101})
    assert too_many.value.status == 413
    for body in ({"items": []}, {"items": "x"}, [1], None):
        with pytest.raises(Problem) as bad:
            items_of(body)
        assert bad.value.status == 422


def test_recorded_events_reach_every_enclosing_block():
    with recording_events() as outer:
        with recording_events() as inner:
            outbox_entry("topic", new_event("bsm.test.done.v1", "test", "1", {}))
        outbox_entry("topic", new_event("bsm.test.done.v1", "test", "2", {}))
    assert len(inner) == 1 and outer[0] == inner[0] and len(outer) == 2
