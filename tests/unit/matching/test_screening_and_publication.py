"""Screen gives every pair the score ``score`` gives it; a draft splits into the same chunks
on every attempt; a walk-in goes where both sides and a table are free."""
import random

import pytest

from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.publication import chunk_id, chunks, free_place, started_slots, to_publish
from services.matching.domain.screening import Screen
from services.matching.domain.scoring import score

AMOUNTS = ["100", "450.50", "2500", "abc", None, "0"]


def _maybe(rng, value):
    return value if rng.random() < 0.8 else None


def seller(rng, n):
    products = []
    for p in range(rng.randint(0, 2)):
        product = {"name": rng.choice(["Pashmina shawl", "Saffron", "Walnut box"]), "category": rng.choice(["handloom", "spices", "handicraft"]),
                   "gi_tag": rng.choice([None, "Kashmir Pashmina", "Kashmir Saffron"]), "export_ready": rng.random() < 0.5}
        if rng.random() < 0.7:
            product["monthly_capacity"] = {"value": rng.choice(AMOUNTS), "unit": rng.choice(["piece", "kg"])}
        if rng.random() < 0.7:
            product["price_band"] = {"min": rng.choice(AMOUNTS), "max": rng.choice(AMOUNTS), "currency": rng.choice(["INR", "EUR"]), "unit": rng.choice(["piece", "kg"])}
        products.append(product)
    return ParticipantProfile(id=f"s{n}", role="seller", name=f"S{n}", country="IN", preferred_language="ks", version=1,
                              district=rng.choice([None, "Srinagar", "Leh"]), languages=rng.sample(["ks", "en", "hi"], rng.randint(1, 2)),
                              products=products, verified_claims=[{"kind": k} for k in rng.sample(["gi_authorised_user", "organic"], rng.randint(0, 2))])


def buyer(rng, n):
    sourcing = {"categories": rng.sample(["handloom", "spices", "handicraft"], rng.randint(0, 2)),
                "products": rng.sample(["pashmina", "saffron", "box"], rng.randint(0, 2)),
                "required_certifications": rng.sample(["gi_authorised_user", "organic"], rng.randint(0, 2)),
                "gi_tags": rng.sample(["Kashmir Pashmina", "Kashmir Saffron"], rng.randint(0, 1))}
    if rng.random() < 0.7:
        sourcing["annual_volume"] = {"value": rng.choice(AMOUNTS), "unit": rng.choice(["piece", "kg"])}
    if rng.random() < 0.7:
        sourcing["price_band"] = {"min": rng.choice(AMOUNTS), "max": rng.choice(AMOUNTS), "currency": rng.choice(["INR", "EUR"]), "unit": rng.choice(["piece", "kg"])}
    return ParticipantProfile(id=f"b{n}", role="buyer", name=f"B{n}", country="DE", preferred_language="en", version=1,
                              international=rng.random() < 0.7, languages=rng.sample(["en", "hi"], rng.randint(1, 2)), sourcing=sourcing)


def test_screen_points_equal_the_full_score_of_every_pair():
    rng = random.Random(3)
    sellers, buyers = [seller(rng, n) for n in range(60)], [buyer(rng, n) for n in range(40)]
    rare = frozenset({"Leh"})
    screen = Screen(sellers + buyers, rare)
    for s in sellers:
        for b in buyers:
            assert screen.points(s.id, b.id) == score(s, b, rare).score, (s, b)


def test_chunks_are_the_same_on_every_attempt_and_skip_what_was_published():
    meetings = [{"seller_id": f"s{n}", "buyer_id": "b1", "published": n == 0} for n in range(6)]
    pending = to_publish(meetings)
    assert [m["seller_id"] for m in pending] == ["s1", "s2", "s3", "s4", "s5"]
    first, second = list(chunks(pending, 2)), list(chunks(pending, 2))
    assert first == second and [n for n, _ in first] == [0, 1, 2] and [len(c) for _, c in first] == [2, 2, 1]
    assert chunk_id("m1", "d1", 2) == "m1:d1:2"
    with pytest.raises(ValueError):
        list(chunks(pending, 0))


def test_a_walk_in_goes_to_the_first_slot_where_both_and_a_table_are_free():
    placements = [
        {"slot_id": "a", "seller_id": "s1", "buyer_id": "b9", "table": 1},
        {"slot_id": "b", "seller_id": "s8", "buyer_id": "b8", "table": 1},
        {"slot_id": "b", "seller_id": "s7", "buyer_id": "b7", "table": 2},
    ]
    assert free_place(placements, ["a", "b", "c"], 2, "s1", "b1") == (2, "c", 1)
    assert free_place(placements, ["a", "b", "c"], 2, "s2", "b1") == (0, "a", 2)
    assert free_place(placements, ["a", "b", "c"], 2, "s2", "b1", slot_id="b") is None
    assert free_place(placements, ["a", "b", "c"], 2, "s2", "b1", begun={"a"}) == (2, "c", 1)


def test_the_slots_that_have_begun_are_those_whose_start_has_come_at_the_venue():
    from datetime import datetime, timezone
    slots = [{"id": "d1-1400", "day": "2027-07-30", "start": "14:00"}, {"id": "d1-1425", "day": "2027-07-30", "start": "14:25"},
             {"id": "d2-1000", "day": "2027-07-31", "start": "10:00"}]
    at_1416_ist = datetime(2027, 7, 30, 8, 46, tzinfo=timezone.utc)
    assert started_slots(slots, "Asia/Kolkata", at_1416_ist) == {"d1-1400"}
    assert started_slots(slots, "Asia/Kolkata", datetime(2027, 7, 30, 8, 55, tzinfo=timezone.utc)) == {"d1-1400", "d1-1425"}
    assert started_slots(slots, "Europe/Berlin", at_1416_ist) == set()
