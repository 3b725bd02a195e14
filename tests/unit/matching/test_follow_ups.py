"""An LoI's follow-ups: one status request for what is already past, never a burst."""
from datetime import date

from services.matching.domain.follow_ups import MIN_GAP_DAYS, next_due, plan, recorded_loi, take_due, with_days

SIGNED = date(2026, 7, 30)


def statuses(entries):
    return [(e["due"], e["days"], e["status"]) for e in entries]


def test_an_loi_recorded_on_the_day_has_its_three_follow_ups_due():
    entries = plan(SIGNED, SIGNED)
    assert statuses(entries) == [("2026-08-29", 30, "due"), ("2026-09-28", 60, "due"), ("2026-10-28", 90, "due")]
    assert next_due(entries) == "2026-08-29"


def test_an_loi_recorded_after_every_follow_up_is_asked_about_once_today():
    recorded = date(2026, 12, 1)
    entries = plan(SIGNED, recorded)
    assert [e for e in entries if e["status"] == "due"] == [{"due": "2026-12-01", "days": 124, "status": "due", "kind": "status_request"}]
    assert [e["status"] for e in entries[1:]] == ["past_when_recorded"] * 3
    assert next_due(entries) == "2026-12-01"
    entries, announced = take_due(entries, recorded)
    assert announced["days"] == 124 and announced["kind"] == "status_request"
    assert next_due(entries) is None
    assert take_due(entries, date(2027, 6, 1)) == (entries, None)


def test_a_follow_up_soon_after_the_status_request_is_folded_into_it():
    recorded = date(2026, 9, 20)  # 30 days past, 60 days due in 8
    entries = plan(SIGNED, recorded)
    assert statuses(entries) == [("2026-09-20", 52, "due"), ("2026-08-29", 30, "past_when_recorded"), ("2026-09-28", 60, "collapsed"),
                                 ("2026-10-28", 90, "due")]
    assert MIN_GAP_DAYS <= (date(2026, 10, 28) - recorded).days


def test_a_follow_up_well_after_the_status_request_is_kept():
    entries = plan(SIGNED, date(2026, 9, 1))  # 30 days past, 60 days due in 27
    assert [e["status"] for e in entries] == ["due", "past_when_recorded", "due", "due"]
    assert next_due(entries) == "2026-09-01"


def test_a_worker_that_ran_late_announces_only_the_latest_follow_up_due():
    entries, announced = take_due(plan(SIGNED, SIGNED), date(2026, 10, 1))
    assert (announced["due"], announced["days"]) == ("2026-09-28", 60)
    assert [e["status"] for e in entries] == ["collapsed", "reminded", "due"]
    assert next_due(entries) == "2026-10-28"


def test_nothing_is_announced_before_it_is_due():
    entries = plan(SIGNED, SIGNED)
    assert take_due(entries, date(2026, 8, 28)) == (entries, None)


def test_entries_stored_before_they_carried_their_days_are_given_them():
    old = [{"due": "2026-08-29", "status": "reminded"}, {"due": "2026-09-28", "status": "due"}, {"due": "2026-10-28", "status": "due"}]
    assert [e["days"] for e in with_days(old)] == [30, 60, 90]
    _, announced = take_due(with_days(old), date(2026, 9, 28))
    assert announced["days"] == 60


TERMS = {"product": "Pashmina shawls", "quantity": {"value": "200", "unit": "piece"}, "value": {"amount": "2000000.00", "currency": "INR"},
         "value_inr": "2000000.00", "delivery_terms": None, "signed_on": "2027-07-30"}


def test_the_same_terms_again_write_nothing_and_a_new_loi_is_signed_with_its_plan():
    new = recorded_loi(None, TERMS, date(2027, 7, 30))
    assert new["status"] == "signed" and [e["days"] for e in new["follow_up"]] == [30, 60, 90]
    assert recorded_loi(new, dict(TERMS), date(2027, 8, 2)) is None


def test_a_correction_keeps_where_the_loi_stands_and_says_what_changed():
    stored = {**recorded_loi(None, TERMS, date(2027, 7, 30)), "status": "order_placed", "order": {"value_inr": "2000000"},
              "history": [{"on": "2027-09-01", "status": "order_placed", "note": None}]}
    stored["follow_up"][0]["status"] = "done"
    corrected = recorded_loi(stored, {**TERMS, "signed_on": "2027-07-31", "delivery_terms": "FOB Delhi"}, date(2027, 9, 5))
    assert corrected["status"] == "order_placed" and corrected["order"] == {"value_inr": "2000000"}
    assert corrected["history"][-1] == {"on": "2027-09-05", "status": "corrected", "note": "delivery_terms, signed_on"}
    assert corrected["follow_up"] == stored["follow_up"] and corrected["signed_on"] == "2027-07-31"


def test_a_corrected_date_plans_the_follow_ups_again_while_none_was_announced():
    stored = recorded_loi(None, TERMS, date(2027, 7, 30))
    corrected = recorded_loi(stored, {**TERMS, "signed_on": "2027-08-10"}, date(2027, 8, 12))
    assert [e["due"] for e in corrected["follow_up"]] == ["2027-09-09", "2027-10-09", "2027-11-08"]
