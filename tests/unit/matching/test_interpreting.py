"""Who takes over an interpreter's published meetings (``domain.interpreting``)."""
from services.matching.domain.interpreting import Assignment, Interpreter, covers, hand_over, occupied, understood

KS, EN = frozenset({"ks"}), frozenset({"en"})


def interpreter(iid: str, name: str, languages=("ks", "en"), slots=("s1", "s2", "s3")) -> Interpreter:
    return Interpreter(iid, name, tuple(languages), frozenset(slots))


def meeting(mid: str, slot: str) -> Assignment:
    return Assignment(mid, slot, KS, EN)


def test_covering_needs_the_slot_and_a_language_of_each_side():
    assert covers(interpreter("i", "I"), meeting("m", "s1"))
    assert not covers(interpreter("i", "I", slots=("s2",)), meeting("m", "s1"))
    assert not covers(interpreter("i", "I", languages=("ks", "ur")), meeting("m", "s1"))


def test_meetings_still_covered_are_kept_and_the_rest_go_to_the_first_free_by_name():
    now = interpreter("rafiq", "Rafiq", slots=("s1",))
    others = [interpreter("z", "Zoya"), interpreter("a", "Aamir"), interpreter("u", "Usha", languages=("ur", "en"))]
    plan = hand_over([meeting("m1", "s1"), meeting("m2", "s2")], now, others, busy={("rafiq", "s1"), ("rafiq", "s2")})
    assert plan.kept == ["m1"] and {m: i.interpreter_id for m, i in plan.moves.items()} == {"m2": "a"} and plan.uncovered == []


def test_a_substitute_busy_in_the_slot_is_passed_over_and_never_given_two_meetings_at_once():
    others = [interpreter("a", "Aamir"), interpreter("z", "Zoya")]
    plan = hand_over([meeting("m1", "s1"), meeting("m2", "s1"), meeting("m3", "s2")], None, others, busy={("a", "s2")})
    assert {m: i.interpreter_id for m, i in plan.moves.items()} == {"m1": "a", "m2": "z", "m3": "z"}


def test_what_no_one_can_take_is_named():
    plan = hand_over([meeting("m1", "s1"), meeting("m2", "s3")], None, [interpreter("a", "Aamir", slots=("s1",))], busy=set())
    assert list(plan.moves) == ["m1"] and plan.uncovered == ["m2"]


def test_a_pair_understands_each_other_through_a_shared_language_or_an_interpreter_who_bridges_them():
    assert understood(Assignment("m", "s1", frozenset({"ks", "hi"}), frozenset({"en", "hi"})), None)
    assert understood(meeting("m", "s1"), ("ks", "en"))
    assert not understood(meeting("m", "s1"), None)
    assert not understood(meeting("m", "s1"), ("ks", "ur")), "an interpreter who speaks one side's language only bridges nobody"


def test_everyone_in_a_meeting_is_occupied_in_its_slot_sides_and_interpreter_alike():
    placements = [{"slot_id": "a", "seller_id": "s1", "buyer_id": "b1", "interpreter": "i1"}, {"slot_id": "b", "seller_id": "s2", "buyer_id": "b1"}]
    assert occupied(placements) == {("s1", "a"), ("b1", "a"), ("i1", "a"), ("s2", "b"), ("b1", "b")}
