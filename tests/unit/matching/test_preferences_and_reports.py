from services.matching.domain.preferences import pair_value
from services.matching.domain.reports import meet_report, report_csv_rows


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
            "meeting_id": f"m{n}", "buyer_id": f"b{n % 15}", "buyer_name": f"Brand {n % 15}", "buyer_country": "IN",
            "seller_district": ["Srinagar", "Budgam", "Pulwama"][n % 3], "outcome": "held",
            "loi": {"product": ["Pashmina shawl", "Papier mache", "Walnut wood carving"][n % 3], "value_inr": value},
        })
    meetings += [{"meeting_id": "x", "buyer_id": "b1", "outcome": "no_show_seller"}, {"meeting_id": "y", "buyer_id": "b2"}]
    return meetings


def test_the_report_of_a_meet_like_srinagars_reads_the_way_the_trade_does():
    report = meet_report(srinagar_meetings())
    assert report["summary"] == "30 LoIs worth Rs 10.50 crore"
    assert report["lois"]["value_grouped"] == "₹10,50,00,000.00"
    assert report["meetings"] == {"scheduled": 32, "held": 30, "no_show": 1}
    districts = {row["key"]: row["lois"] for row in report["by"]["seller_district"]}
    assert districts == {"Srinagar": 10, "Budgam": 10, "Pulwama": 10}
    assert report["by"]["product"][0]["value_words"] == "Rs 3.50 crore"


def test_the_report_exports_as_csv_rows():
    rows = report_csv_rows(meet_report(srinagar_meetings()))
    assert rows[0] == ["breakdown", "key", "lois", "value_inr", "value_words"]
    assert rows[-1] == ["total", "", "30", "105000000.00", "Rs 10.50 crore"]
