"""The places a meeting takes: someone interpreting holds their place as a person too, so
the database's unique keys keep anyone from being in two meetings of one slot, whichever
part they play in each."""
from services.matching.domain.places import interpreter_places, meeting_places

INTERPRETED = {"slot_id": "s1", "seller_id": "ks2", "buyer_id": "b8", "table": 1, "interpreter": "ks1"}


def test_an_interpreter_takes_their_interpreter_place_and_their_place_as_a_person():
    assert set(meeting_places("m", INTERPRETED)) == {"m:s1:person:ks2", "m:s1:person:b8", "m:s1:table:1", "m:s1:interpreter:ks1", "m:s1:person:ks1"}


def test_a_meeting_of_their_own_in_that_slot_wants_a_place_the_interpreted_one_holds():
    own = {"slot_id": "s1", "seller_id": "ks1", "buyer_id": "b9", "table": 2}
    assert set(meeting_places("m", own)) & set(meeting_places("m", INTERPRETED)) == {"m:s1:person:ks1"}
    elsewhere = {**own, "slot_id": "s2"}
    assert not set(meeting_places("m", elsewhere)) & set(meeting_places("m", INTERPRETED))


def test_one_of_the_two_sides_as_interpreter_adds_no_second_person_place():
    assert interpreter_places("m", INTERPRETED, "ks2") == {"m:s1:interpreter:ks2": "interpreter ks2 is busy in slot s1"}
