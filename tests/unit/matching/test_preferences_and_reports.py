from decimal import Decimal

from services.matching.domain.preferences import pair_value
from services.matching.domain.reports import CSV_HEADER, NO_LOI, OUTCOMES, meet_report, report_csv_rows


def test_requests_rank_above_scores_and_buyers_weigh_more():
    assert pair_value(90, "no_thanks", "must_meet") is None
    mutual = pair_value(10, "would_like", "would_like")
    buyer_only = pair_value(10, "must_meet", None)
    seller_only = pair_value(10, None, "must_meet")
    plain = pair_value(99, None, None)
    assert mutual[1] == "mutual_request" and plain[1] == "recommended"
    assert mutual[0] > buyer_only[0] > seller_only[0] > plain[0]
    assert pair_value(10, "must_meet", None, buyer_factor=1.0)[0] == seller_only[0]


def srinagar_meetings():
    """30 LoIs worth Rs 10.50 crore, as at Srinagar on 30 July 2022."""
    meetings = []
    for n in range(30):
        value = "3500000"
        meetings.append({
            "meeting_id": f"m{n}", "meet_id": ["meet-2022", "meet-2023"][n % 2], "buyer_id": f"b{n % 15}", "buyer_name": f"Brand {n % 15}", "buyer_country": "IN",
            "seller_district": ["Srinagar", "Budgam", "Pulwama"][n % 3], "outcome": "held",
            "loi": {"product": ["Pashmina shawl", "Papier mache", "Walnut wood carving"][n % 3], "value_inr": value},
        })
    meetings += [{"meeting_id": "x", "meet_id": "meet-2022", "buyer_id": "b1", "outcome": "no_show_seller"},
                 {"meeting_id": "y", "meet_id": "meet-2022", "buyer_id": "b2"},
                 {"meeting_id": "z", "meet_id": "meet-2023", "buyer_id": "b3", "status": "cancelled"}]
    return meetings


def test_the_report_of_a_meet_like_srinagars_reads_the_way_the_trade_does():
    report = meet_report(srinagar_meetings())
    assert report["summary"] == "30 LoIs worth Rs 10.50 crore"
    assert report["lois"]["value_grouped"] == "₹10,50,00,000.00"
    assert report["meetings"] == {"scheduled": 33, "held": 30, "no_show": 1, "cancelled": 1, "not_recorded": 1}
    districts = {row["key"]: (row["meetings"]["total"], row["lois"]) for row in report["by"]["seller_district"]}
    assert districts == {"Srinagar": (10, 10), "Budgam": (10, 10), "Pulwama": (10, 10), "unknown": (3, 0)}
    assert report["by"]["product"][0]["value_words"] == "Rs 3.50 crore"


def test_the_report_exports_as_csv_rows():
    rows = report_csv_rows(meet_report(srinagar_meetings()))
    assert rows[0] == CSV_HEADER == ["breakdown", "key", "name", "meetings", "held", "no_show", "cancelled", "not_recorded", "lois", "value_inr",
                                     "value_words"]
    assert rows[-1] == ["total", "", "", "33", "30", "1", "1", "1", "30", "105000000.00", "Rs 10.50 crore"]


def test_every_breakdown_adds_up_to_the_total_in_json_and_in_csv():
    report = meet_report(srinagar_meetings(), {"meet-2022": "Srinagar BSM 2022"})
    total = report["meetings"]
    assert total["scheduled"] == sum(total[o] for o in OUTCOMES)
    assert set(report["by"]) == {"meet", "seller_district", "product", "buyer", "buyer_country"}
    for name, groups in report["by"].items():
        assert sum(g["meetings"]["total"] for g in groups) == total["scheduled"], name
        for outcome in OUTCOMES:
            assert sum(g["meetings"][outcome] for g in groups) == total[outcome], (name, outcome)
        assert sum(g["lois"] for g in groups) == report["lois"]["count"], name
        assert sum(Decimal(g["value_inr"]) for g in groups) == Decimal(report["lois"]["value_inr"]), name
        assert all(g["meetings"]["total"] == sum(g["meetings"][o] for o in OUTCOMES) for g in groups)
    rows = report_csv_rows(report)
    *groups, total_row = rows[1:]
    for name in report["by"]:
        mine = [r for r in groups if r[0] == name]
        for column in range(3, 10):
            assert sum(Decimal(r[column]) for r in mine) == Decimal(total_row[column]), (name, rows[0][column])


def test_the_report_has_a_row_per_meet_and_meetings_without_an_loi_in_the_product_breakdown():
    report = meet_report(srinagar_meetings(), {"meet-2022": "Srinagar BSM 2022"})
    meets = {g["key"]: (g["name"], g["meetings"]["total"], g["lois"]) for g in report["by"]["meet"]}
    assert meets == {"meet-2022": ("Srinagar BSM 2022", 17, 15), "meet-2023": ("meet-2023", 16, 15)}
    [none] = [g for g in report["by"]["product"] if g["key"] == NO_LOI]
    assert none["meetings"] == {"total": 3, "held": 0, "no_show": 1, "cancelled": 1, "not_recorded": 1} and none["lois"] == 0


def test_lois_become_orders_counted_by_the_follow_up_they_came_by():
    def meeting(n, history=(), status=None):
        loi = {"product": "Saffron", "value_inr": "100000.00", "signed_on": "2027-07-30", "history": list(history), **({"status": status} if status else {})}
        return {"meet_id": "m", "seller_id": f"s{n}", "buyer_id": "b", "outcome": "held", "loi": loi}

    meetings = [
        meeting(1, [{"on": "2027-08-20", "status": "order_placed"}], "order_placed"),
        meeting(2, [{"on": "2027-08-25", "status": "in_negotiation"}, {"on": "2027-09-20", "status": "order_placed"}], "order_placed"),
        meeting(3, [{"on": "2027-11-30", "status": "order_placed"}], "order_placed"),
        meeting(4, [{"on": "2027-08-29", "status": "lapsed"}], "lapsed"),
        meeting(5),
        {"meet_id": "m", "seller_id": "s6", "buyer_id": "b", "outcome": "held"},
    ]
    converted = meet_report(meetings)["orders"]["over_follow_ups"]
    assert converted["lois"] == 5
    assert converted["by_follow_up"] == [{"days": 30, "orders": 1, "share": 0.2}, {"days": 60, "orders": 2, "share": 0.4},
                                         {"days": 90, "orders": 2, "share": 0.4}]
    assert converted["status"] == {"in_negotiation": 0, "order_placed": 3, "lapsed": 1, "no_answer": 1}


def test_one_letter_of_intent_is_not_written_as_lois():
    one = [m for m in srinagar_meetings() if m.get("loi")][:1]
    assert meet_report(one)["summary"].startswith("1 LoI worth Rs ")
