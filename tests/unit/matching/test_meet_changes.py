"""What becomes of published meetings when their meet changes (``follow_the_meet``), and
which draft meetings a changed meet no longer holds (``off_the_meet``, ``placed``)."""
from hypothesis import given
from hypothesis import strategies as st

from services.matching.domain.meet_changes import MEET_CHANGED, UNAVAILABLE, follow_the_meet, layout, placeable
from services.matching.domain.publication import off_the_meet, placed


def slot(day: str, start: str, end: str) -> dict:
    return {"id": f"{day}T{start.replace(':', '')}", "day": day, "start": start, "end": end}


HALF_HOURS = [slot("2027-07-30", "10:00", "10:30"), slot("2027-07-30", "10:30", "11:00"), slot("2027-07-30", "11:00", "11:30")]


def meeting(n: int, slot_index: int, table: int, slots=HALF_HOURS, status: str = "scheduled", seller: str | None = None, buyer: str | None = None) -> dict:
    at = slots[slot_index]
    return {"_id": f"m{n}", "status": status, "seller_id": seller or f"s{n}", "buyer_id": buyer or f"b{n}", "slot_id": at["id"],
            "slot_index": slot_index, "day": at["day"], "start": at["start"], "end": at["end"], "table": table}


def by_id(changes) -> dict:
    return {c.meeting_id: c for c in changes}


def test_a_meet_unchanged_changes_nothing():
    meetings = [meeting(1, 0, 1), meeting(2, 1, 2), meeting(3, 2, 3, status="cancelled")]
    assert follow_the_meet(meetings, HALF_HOURS, tables=3) == []


def test_a_slot_gone_cancels_its_meetings_and_the_others_take_their_new_index():
    later = [HALF_HOURS[1], HALF_HOURS[2]]
    changes = by_id(follow_the_meet([meeting(1, 0, 1), meeting(2, 1, 1), meeting(3, 2, 2)], later, tables=3))
    assert changes["m1"].reason == MEET_CHANGED and changes["m1"].fields == {"status": "cancelled", "cancel_reason": MEET_CHANGED}
    assert changes["m2"].fields == {"slot_index": 0} and not changes["m2"].announced
    assert changes["m3"].fields == {"slot_index": 1} and not changes["m3"].announced


def test_a_slot_that_keeps_its_start_but_not_its_end_gives_the_meeting_its_new_times():
    shorter = [slot("2027-07-30", "10:00", "10:20"), slot("2027-07-30", "10:30", "10:50")]
    changes = by_id(follow_the_meet([meeting(1, 0, 1), meeting(2, 1, 1)], shorter, tables=1))
    assert changes["m1"].fields == {"end": "10:20"} and changes["m1"].announced
    assert changes["m2"].fields == {"end": "10:50"}


def test_fewer_tables_move_a_meeting_to_a_free_table_of_its_slot_or_cancel_it():
    meetings = [meeting(1, 0, 1), meeting(2, 0, 3), meeting(3, 1, 3), meeting(4, 2, 2), meeting(5, 2, 3)]
    changes = by_id(follow_the_meet(meetings, HALF_HOURS, tables=1))
    assert "m1" not in changes
    assert changes["m2"].reason == MEET_CHANGED
    assert changes["m3"].fields == {"table": 1} and changes["m3"].announced and not changes["m3"].cancels
    assert changes["m4"].fields == {"table": 1}
    assert changes["m5"].reason == MEET_CHANGED, "table 1 of that slot went to m4, from the lower table"


def test_a_table_an_organiser_locked_is_not_given_to_a_moved_meeting():
    changes = by_id(follow_the_meet([meeting(1, 0, 3)], HALF_HOURS, tables=2, locked_tables={(HALF_HOURS[0]["id"], 1)}))
    assert changes["m1"].fields == {"table": 2}


def test_a_meeting_cancelled_for_unavailability_frees_its_table_for_a_move_made_after_it():
    meetings = [meeting(1, 0, 1, seller="s1"), meeting(2, 0, 2)]
    changes = follow_the_meet(meetings, HALF_HOURS, tables=1, attends={"s1": {HALF_HOURS[1]["id"]}})
    assert [(c.meeting_id, c.reason) for c in changes] == [("m1", UNAVAILABLE), ("m2", None)]
    assert changes[1].fields == {"table": 1}


def test_only_the_people_whose_availability_is_given_are_checked():
    meetings = [meeting(1, 0, 1, seller="s1", buyer="b1")]
    assert follow_the_meet(meetings, HALF_HOURS, tables=1, attends={"b1": {HALF_HOURS[0]["id"]}}) == []
    assert follow_the_meet(meetings, HALF_HOURS, tables=1, attends={"b1": set()})[0].reason == UNAVAILABLE


def test_meetings_that_have_begun_keep_their_place_and_follow_only_the_index():
    meetings = [meeting(1, 0, 3), meeting(2, 1, 3), meeting(3, 2, 3)]
    changes = by_id(follow_the_meet(meetings, [HALF_HOURS[1], HALF_HOURS[2]], tables=1, begun={"m1", "m2"}))
    assert "m1" not in changes
    assert changes["m2"].fields == {"slot_index": 0} and not changes["m2"].announced
    assert changes["m3"].fields == {"table": 1, "slot_index": 1}


def test_a_begun_meeting_at_a_table_the_meet_no_longer_has_still_holds_it():
    meetings = [meeting(1, 0, 2), meeting(2, 0, 3)]
    changes = by_id(follow_the_meet(meetings, HALF_HOURS, tables=1, begun={"m1"}))
    assert changes["m2"].fields == {"table": 1}


def test_a_new_time_zone_is_announced_for_every_meeting_still_to_come_and_taken_by_a_moved_one():
    """The organiser corrected the meet's zone: the same wall-clock times are another
    instant, so each meeting still to come takes the zone and its people are told; begun
    and cancelled meetings stay as they were."""
    meetings = [{**m, "timezone": "UTC"} for m in (meeting(1, 0, 1), meeting(2, 1, 1), meeting(3, 2, 3), meeting(4, 2, 1, status="cancelled"))]
    changes = by_id(follow_the_meet(meetings, HALF_HOURS, tables=2, begun={"m1"}, timezone="Asia/Kolkata"))
    assert sorted(changes) == ["m2", "m3"]
    assert changes["m2"].fields == {"timezone": "Asia/Kolkata"} and changes["m2"].announced and not changes["m2"].cancels
    assert changes["m3"].fields == {"table": 1, "timezone": "Asia/Kolkata"}, "the table the cancelled meeting left"
    assert follow_the_meet([{**m, "timezone": "Asia/Kolkata"} for m in meetings], HALF_HOURS, tables=3, timezone="Asia/Kolkata") == []


def test_the_layout_followed_includes_the_time_zone():
    assert layout(HALF_HOURS, 3, "UTC") != layout(HALF_HOURS, 3, "Asia/Kolkata")
    assert layout(HALF_HOURS, 3, "UTC") == layout([dict(s) for s in HALF_HOURS], 3, "UTC")


def test_placeable_asks_the_meet_as_it_is_now():
    position = {s["id"]: i for i, s in enumerate(HALF_HOURS)}
    assert placeable(meeting(1, 0, 2), position, tables=2)
    assert not placeable(meeting(1, 0, 3), position, tables=2)
    assert not placeable({**meeting(1, 0, 1), "slot_id": "2027-07-31T1000"}, position, tables=2)


def test_a_draft_s_meetings_outside_the_changed_meet_are_named_and_the_rest_take_the_new_index():
    drafted = [{"seller_id": "s1", "buyer_id": "b1", "slot_id": HALF_HOURS[0]["id"], "slot_index": 0, "table": 1},
               {"seller_id": "s2", "buyer_id": "b2", "slot_id": HALF_HOURS[2]["id"], "slot_index": 2, "table": 1},
               {"seller_id": "s3", "buyer_id": "b3", "slot_id": HALF_HOURS[2]["id"], "slot_index": 2, "table": 2}]
    now = HALF_HOURS[1:]
    assert off_the_meet("m", drafted, now, tables=1) == {
        "m:s1:b1": f"slot {HALF_HOURS[0]['id']} is no longer one of the meet's", "m:s3:b3": "the meet no longer has table 2"}
    assert [(m["seller_id"], m["slot_index"]) for m in placed(drafted, now)] == [("s2", 1), ("s3", 1)]


@st.composite
def published(draw):
    """Up to 12 slots' worth of meetings at up to 4 tables, no two at one place, and a
    meet that keeps some of the slots (maybe with new ends) and tables."""
    count = draw(st.integers(1, 6))
    slots = [slot("2027-07-30", f"{10 + i}:00", f"{10 + i}:30") for i in range(count)]
    meetings = []
    for index in range(count):
        for table in draw(st.sets(st.integers(1, 4), max_size=4)):
            n = len(meetings)
            meetings.append({**meeting(n, index, table, slots, status=draw(st.sampled_from(["scheduled", "scheduled", "cancelled"])))})
    kept = [s if not draw(st.booleans()) else {**s, "end": s["end"].replace(":30", ":20")} for s in slots if draw(st.booleans())]
    begun = {m["_id"] for m in meetings if draw(st.integers(0, 4)) == 0}
    return meetings, kept, draw(st.integers(1, 4)), begun


@given(published())
def test_after_the_changes_every_meeting_still_to_come_is_on_the_meet_and_no_two_share_a_table(case):
    meetings, slots, tables, begun = case
    changes = by_id(follow_the_meet(meetings, slots, tables, begun))
    position = {s["id"]: i for i, s in enumerate(slots)}
    places = set()
    for m in meetings:
        after = {**m, **changes[m["_id"]].fields} if m["_id"] in changes else m
        if m["_id"] in begun or m["status"] == "cancelled":
            assert {k: after[k] for k in ("status", "table", "slot_id")} == {k: m[k] for k in ("status", "table", "slot_id")}
        if after["slot_id"] in position:
            assert after["slot_index"] == position[after["slot_id"]]
        if after["status"] == "scheduled":
            assert (after["slot_id"], after["table"]) not in places
            places.add((after["slot_id"], after["table"]))
            if m["_id"] not in begun:
                assert placeable(after, position, tables)
                assert (after["day"], after["start"], after["end"]) == tuple(slots[position[after["slot_id"]]][k] for k in ("day", "start", "end"))
    assert follow_the_meet([{**m, **changes[m["_id"]].fields} if m["_id"] in changes else m for m in meetings], slots, tables, begun) == []
