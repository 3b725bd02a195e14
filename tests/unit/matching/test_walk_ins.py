import pytest

from services.matching.domain.interpreting import Interpreter
from services.matching.domain.walk_ins import WrongPair, check_pair, have_met, place

ROLES = {"s1": "seller", "s2": "seller", "b1": "buyer"}


@pytest.mark.parametrize("seller_id, buyer_id, field", [("b1", "s1", "seller_id"), ("s1", "s1", "buyer_id"), ("s1", "s2", "buyer_id"),
                                                        ("s9", "b1", "seller_id"), ("s1", "b9", "buyer_id")])
def test_a_walk_in_is_between_an_approved_seller_and_an_approved_buyer(seller_id, buyer_id, field):
    with pytest.raises(WrongPair) as refused:
        check_pair(seller_id, buyer_id, ROLES)
    assert refused.value.field == field
    check_pair("s1", "b1", ROLES)


def test_a_pair_has_met_in_either_order():
    assert have_met([{"seller_id": "b1", "buyer_id": "s1"}], "s1", "b1")
    assert not have_met([{"seller_id": "s2", "buyer_id": "b1"}], "s1", "b1")


def test_a_pair_without_a_common_language_goes_where_a_free_interpreter_bridges_them_first_by_name():
    pool = [Interpreter("i-z", "Zoya", ("ks", "en"), frozenset({"a", "b"})), Interpreter("i-a", "Amir", ("ks", "en"), frozenset({"b"})),
            Interpreter("i-u", "Umar", ("ks", "ur"), frozenset({"a", "b"}))]
    busy = [{"slot_id": "a", "seller_id": "s8", "buyer_id": "b8", "table": 1, "interpreter": "i-z"}]
    kashmiri, english = ("s1", ["ks"]), ("b1", ["en"])
    assert place(busy, ["a", "b"], 2, kashmiri, english, pool) == (1, "b", 1, "i-a")
    assert place(busy, ["a", "b"], 2, kashmiri, english, pool, slot_id="a") is None
    assert place(busy, ["a", "b"], 2, kashmiri, english, pool, begun={"b"}) is None
    assert place(busy, ["a", "b"], 2, ("s1", ["ks", "en"]), english, pool) == (0, "a", 2, None)


def test_nobody_is_placed_where_they_already_are_whichever_part_they_play_there():
    """A pool member who meets a buyer in slot a does not interpret there, and someone
    interpreting in slot a is not given a meeting of their own there."""
    pool = [Interpreter("s8", "Zoya", ("ks", "en"), frozenset({"a", "b"}))]
    meeting = [{"slot_id": "a", "seller_id": "s8", "buyer_id": "b8", "table": 1, "interpreter": "i-r"}]
    kashmiri, english = ("s1", ["ks"]), ("b1", ["en"])
    assert place(meeting, ["a", "b"], 3, kashmiri, english, pool) == (1, "b", 1, "s8")
    assert place(meeting, ["a", "b"], 3, ("i-r", ["en"]), english, pool) == (1, "b", 1, None)
    assert place(meeting, ["a", "b"], 3, ("s2", ["en"]), ("i-r", ["en"]), pool, slot_id="a") is None
