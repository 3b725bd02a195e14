"""Keyset pagination gives every item once, in the unpaged order, whatever the data: values
missing or null, many ties, any sort field and direction, any page size.

The collection is mongomock's, an independent implementation of MongoDB's query and sort
semantics (type bracketing: ``{$gt: null}`` matches nothing, ``{$lt: "x"}`` no null), so
this checks the filters ``shared.pagination`` writes without a server.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import mongomock
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.pagination import BadCursor, decode_cursor, encode_cursor, page

MISSING = object()
FIELDS = {
    "district": st.sampled_from(["Budgam", "Ganderbal", "Srinagar"]),
    "registered_at": st.integers(0, 3).map(lambda d: datetime(2026, 5, 1) + timedelta(days=d)),
    "capacity": st.integers(0, 2),
}


@st.composite
def documents(draw):
    """Documents whose sortable fields are each missing, null or a value from a small pool (ties)."""
    count = draw(st.integers(0, 25))
    docs = []
    for number in range(count):
        doc = {"_id": f"p{number:03d}", "role": draw(st.sampled_from(["seller", "buyer"]))}
        for name, values in FIELDS.items():
            value = draw(st.one_of(st.just(MISSING), st.none(), values))
            if value is not MISSING:
                doc[name] = value
        docs.append(doc)
    return docs


def _all_pages(collection, query, sort, limit):
    seen, cursor = [], None
    for _ in range(100):
        found = page(collection, query, sort, limit, cursor)
        seen.extend(found.items)
        cursor = found.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("pagination never ended")


@settings(max_examples=150, deadline=None)
@given(
    docs=documents(),
    field=st.sampled_from([*FIELDS, "_id"]),
    descending=st.booleans(),
    limit=st.integers(1, 7),
    only_sellers=st.booleans(),
)
def test_paging_to_the_end_returns_the_unpaged_list(docs, field, descending, limit, only_sellers):
    collection = mongomock.MongoClient().db.participants
    if docs:
        collection.insert_many(docs)
    query = {"role": "seller"} if only_sellers else {}
    direction = -1 if descending else 1
    order = [(field, direction)] + ([("_id", direction)] if field != "_id" else [])
    unpaged = [d["_id"] for d in collection.find(query).sort(order)]

    paged = [d["_id"] for d in _all_pages(collection, query, f"-{field}" if descending else field, limit)]

    assert paged == unpaged


def test_the_reported_case_buyers_by_district_with_some_missing():
    """Issue 15, item 9: 72 buyers, some without a district, sorted by district 3 a page."""
    collection = mongomock.MongoClient().db.participants
    collection.insert_many([{"_id": f"b{n:02d}", **({"district": ["Budgam", "Srinagar"][n % 2]} if n % 4 else {})} for n in range(72)])

    for sort in ("district", "-district"):
        assert len({d["_id"] for d in _all_pages(collection, {}, sort, 3)}) == 72


@pytest.mark.parametrize("value", [None, "Budgam", 3, datetime(2026, 5, 1, 9, 30)])
def test_a_cursor_carries_its_value_and_id_back(value):
    assert decode_cursor(encode_cursor(value, "p001")) == (value, "p001")


def test_a_cursor_this_api_did_not_give_out_is_refused():
    with pytest.raises(BadCursor):
        decode_cursor("not-a-cursor")
