"""Bulk endpoints (shared/bulk.py) on registration and matching: a report per item, items
done on their own, retries that change nothing, a bound on items; buyers by CSV; and how
fresh matching's read model is (shared/freshness.py) before a draft."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.contracts import registration as catalogue
from shared.envelope import new_event
from shared.kafka_io import ensure_topics, make_producer, send_event
from services.registration.domain.applications import Application
from services.registration.messages import participation_event
from tests.api.conftest import ORGANISER, open_meet, register
from tests.api.test_matching_api import AFTER_THE_MEET, clock_at, matching, meet_with_people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.stack


def test_applications_and_decisions_in_bulk_report_each_item_and_retry_without_effect(client, db):
    meet = open_meet(client)
    first = register(client)
    second = register(client, phone="+919833333333", gstin=None, email="second@example.in")
    items = [
        {"participant_id": first["id"], "availability": "all"},
        {"participant_id": second["id"], "availability": [meet["slots"][0]["id"]]},
        {"participant_id": "nobody", "availability": "all"},
        {"participant_id": second["id"], "availability": "some", "a.b": 1, "$x": 2},
        "not an object",
    ]
    url = f"/v1/meets/{meet['id']}/applications/bulk"
    keyed = {**ORGANISER, "Idempotency-Key": "bulk-apply-0001"}
    response = client.post(url, json={"items": items}, headers=keyed)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["counts"] == {"done": 2, "unchanged": 0, "refused": 3}
    assert [(i["index"], i["status"]) for i in report["items"]] == [(0, "done"), (1, "done"), (2, "refused"), (3, "refused"), (4, "refused")]
    assert report["items"][2]["problem"]["status"] == 404
    assert report["items"][3]["problem"]["status"] == 422 and set(report["items"][3]["problem"]["errors"]) == {"availability", "a_b", "x"}
    assert all(len(i["event_ids"]) == 1 for i in report["items"][:2])
    stored = db["applications"].find_one({"_id": report["items"][0]["id"]})
    assert stored["availability"] == sorted(s["id"] for s in meet["slots"])

    replayed = client.post(url, json={"items": items}, headers=keyed)
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.get_json() == report
    again = client.post(url, json={"items": items[:2]}, headers=ORGANISER).get_json()
    assert again["counts"] == {"done": 0, "unchanged": 2, "refused": 0}
    other_times = client.post(url, json={"items": [{"participant_id": first["id"], "availability": [meet["slots"][1]["id"]]}]}, headers=ORGANISER).get_json()
    assert other_times["counts"] == {"done": 0, "unchanged": 0, "refused": 1}, "applied already with other times: not taken, so not unchanged"
    problem = other_times["items"][0]["problem"]
    assert problem["status"] == 409 and "availability" in problem["errors"] and problem["existing_id"] == report["items"][0]["id"]
    assert db["applications"].count_documents({}) == 2

    decisions = [{"participant_id": first["id"], "decision": "approve"}, {"participant_id": second["id"], "decision": "waitlist"},
                 {"participant_id": "nobody", "decision": "approve"}]
    decided = client.post(f"/v1/meets/{meet['id']}/decisions/bulk", json={"items": decisions}, headers=ORGANISER)
    assert decided.get_json()["counts"] == {"done": 2, "unchanged": 0, "refused": 1}
    assert decided.headers["X-Event-Ids"].split(",") == [e for i in decided.get_json()["items"] for e in i.get("event_ids", [])]
    assert client.get(f"/v1/meets/{meet['id']}", headers=ORGANISER).get_json()["approved"]["seller"] == 1
    assert client.post(f"/v1/meets/{meet['id']}/decisions/bulk", json={"items": decisions[:1]}, headers=ORGANISER).get_json()["counts"]["unchanged"] == 1
    assert client.get(f"/v1/meets/{meet['id']}", headers=ORGANISER).get_json()["approved"]["seller"] == 1


def test_more_items_than_the_bound_are_refused_whole_before_anything_is_done(client, db):
    meet = open_meet(client)
    seller = register(client)
    items = [{"participant_id": seller["id"], "availability": "all"}] * 101
    response = client.post(f"/v1/meets/{meet['id']}/applications/bulk", json={"items": items}, headers=ORGANISER)
    assert response.status_code == 413 and response.get_json()["max_items"] == 100 and "items" in response.get_json()["errors"]
    assert client.post(f"/v1/meets/{meet['id']}/applications/bulk", json={"items": []}, headers=ORGANISER).status_code == 422
    assert db["applications"].count_documents({}) == 0


BUYERS_CSV = """name,organisation,buyer_kind,country,international,phone,email,categories,gi_tags
Anna Keller,Keller Import GmbH,importer,DE,yes,+49 30 1234567,anna@keller.example,handloom;handicraft,Kashmir Pashmina;Kani Shawl
Ravi Mehta,Mehta Stores,retail_brand,IN,no,9822000001,,handloom,
Nobody,No Kind Ltd,astronaut,IN,no,9822000002,,,
"""


def test_buyers_are_imported_from_csv_by_the_sellers_pipeline(client, db):
    response = client.post("/v1/imports/buyers", data=BUYERS_CSV, headers={**ORGANISER, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["counts"] == {"created": 2, "existing": 0, "refused": 1}
    assert "buyer_kind" in report["rows"][2]["errors"]
    keller = db["participants"].find_one({"_id": report["rows"][0]["participant_id"]})
    assert keller["role"] == "buyer" and keller["international"] is True and keller["country"] == "DE"
    assert keller["sourcing"]["gi_tags"] == ["Kashmir Pashmina", "Kani Shawl"] and keller["sourcing"]["categories"] == ["handloom", "handicraft"]
    again = client.post("/v1/imports/buyers", data=BUYERS_CSV, headers={**ORGANISER, "Content-Type": "text/csv"}).get_json()
    assert again["counts"] == {"created": 0, "existing": 2, "refused": 1}
    wrong = client.post("/v1/imports/buyers", data="name,district,phone\nA,Budgam,9822000003\n", headers={**ORGANISER, "Content-Type": "text/csv"})
    assert wrong.status_code == 400 and "organisation" in wrong.get_json()["detail"]


NATIONAL_BUYERS = """name,organisation,buyer_kind,country,state,district,phone,categories,required_certifications
Ritu Malhotra,Malhotra Home,Retail Brand,India,maharashtra,Mumbai,+91 98200 11111,Handicrafts; Processed Food,GI Authorised User
Sameer Khan,Khan Exports,Exporters,IND,Telengana,Hyderabad,+91 98200 22222,Dry Fruits,
Omar Haddad,Haddad Trading,importer,UAE,Dubai,,+971 50 123 4567,Spices,
Nobody,No State Ltd,wholesaler,India,Atlantis,,+91 98200 33333,Handicrafts,
"""


def test_buyers_from_any_state_or_country_are_imported_with_their_words_mapped_and_reported(client, db):
    report = client.post("/v1/imports/buyers", data=NATIONAL_BUYERS, headers={**ORGANISER, "Content-Type": "text/csv"}).get_json()
    assert report["counts"] == {"created": 3, "existing": 0, "refused": 1}, report
    rows = report["rows"]
    ritu, sameer, omar = (db["participants"].find_one({"_id": rows[n]["participant_id"]}) for n in range(3))
    assert (ritu["state"], ritu["district"], ritu["country"], ritu["buyer_kind"]) == ("Maharashtra", "Mumbai", "IN", "retail_brand")
    assert ritu["sourcing"]["categories"] == ["handicraft", "processed_food"] and ritu["sourcing"]["required_certifications"] == ["gi_authorised_user"]
    assert (sameer["state"], sameer["buyer_kind"], sameer["sourcing"]["categories"]) == ("Telangana", "exporter", ["dry_fruits"])
    assert (omar["country"], omar["state"]) == ("AE", "Dubai"), "a foreign buyer's region is kept as written"
    taken = {m["field"]: (m["canonical"], m["how"]) for m in rows[1]["mapped"]}
    assert taken["state"] == ("Telangana", "close spelling") and taken["country"] == ("IN", "code")
    assert "state" in rows[3]["errors"]


EMAIL_ONLY_BUYERS = """name,organisation,buyer_kind,country,international,email,categories
Lena Vogt,Vogt Handel,wholesaler,DE,yes,lena@vogt.example,handloom
Marco Bassi,Bassi Casa,retail_brand,IT,yes,marco@bassi.example,handicraft
"""


def test_an_email_only_buyer_uploaded_again_without_the_key_is_recognised_by_email(client, db):
    csv = {**ORGANISER, "Content-Type": "text/csv"}
    first = client.post("/v1/imports/buyers", data=EMAIL_ONLY_BUYERS, headers=csv).get_json()
    assert first["counts"] == {"created": 2, "existing": 0, "refused": 0}
    respelt = EMAIL_ONLY_BUYERS.replace("lena@vogt.example", " Lena@VOGT.example ")
    again = client.post("/v1/imports/buyers", data=respelt, headers=csv).get_json()
    assert again["counts"] == {"created": 0, "existing": 2, "refused": 0}, again
    assert [r["participant_id"] for r in again["rows"]] == [r["participant_id"] for r in first["rows"]]
    assert db["participants"].count_documents({"role": "buyer"}) == 2
    phone_and_email = "name,organisation,buyer_kind,country,international,phone,email\nLena Vogt,Vogt Handel,wholesaler,DE,yes,+49 30 7654321,lena@vogt.example\n"
    assert client.post("/v1/imports/buyers", data=phone_and_email, headers=csv).get_json()["counts"]["created"] == 1, \
        "an address is an identity only where there is no phone or GSTIN"


def test_email_only_participants_stored_before_are_recognised_by_the_next_import(client, db):
    from services.registration.store import MIGRATED, ensure_indexes

    lena = register(client, {"name": "Lena Vogt", "organisation": "Vogt Handel", "buyer_kind": "wholesaler", "country": "DE",
                             "international": True, "email": "Lena@Vogt.example", "preferred_language": "en"}, role="buyers")
    assert db["identities"].find_one({"_id": "email:lena@vogt.example"}) is None, "the JSON API claims no email key"
    db[MIGRATED].delete_many({})
    ensure_indexes(db)
    assert db["identities"].find_one({"_id": "email:lena@vogt.example"})["participant_id"] == lena["id"]
    report = client.post("/v1/imports/buyers", data=EMAIL_ONLY_BUYERS, headers={**ORGANISER, "Content-Type": "text/csv"}).get_json()
    assert [(r["status"], r["participant_id"] == lena["id"]) for r in report["rows"]] == [("existing", True), ("created", False)]


def test_outcomes_and_lois_in_bulk_name_meetings_by_seller_and_buyer(meet_with_people):
    client, _, meet = meet_with_people
    wishes = [{"participant_id": "b1", "counterpart_id": "s3", "preference": "must_meet"},
              {"participant_id": "s1", "counterpart_id": "s2", "preference": "must_meet"}]
    said = client.post(f"/v1/meets/{meet.id}/preferences/bulk", json={"items": wishes}, headers=ORGANISER).get_json()
    assert [i["status"] for i in said["items"]] == ["done", "refused"] and said["items"][1]["problem"]["status"] == 409
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    pairs = [(m["seller_id"], m["buyer_id"]) for m in meetings]
    assert ("s3", "b1") in pairs
    clock_at(client, AFTER_THE_MEET + timedelta(days=3))
    held = [{"seller_id": s, "buyer_id": b, "outcome": "held"} for s, b in pairs[:2]] + [{"seller_id": "s1", "buyer_id": "nobody", "outcome": "held"}]
    done = client.post(f"/v1/meets/{meet.id}/outcomes/bulk", json={"items": held}, headers=ORGANISER).get_json()
    assert done["counts"] == {"done": 2, "unchanged": 0, "refused": 1} and done["items"][2]["problem"]["status"] == 404
    loi = {"seller_id": pairs[0][0], "buyer_id": pairs[0][1], "product": "Pashmina shawl", "quantity": {"value": "50", "unit": "piece"},
           "value": {"amount": "2500000"}, "signed_on": "2027-07-30"}
    unnamed = {k: v for k, v in loi.items() if k != "buyer_id"}
    signed = client.post(f"/v1/meets/{meet.id}/lois/bulk", json={"items": [loi, unnamed]}, headers=ORGANISER).get_json()
    assert [i["status"] for i in signed["items"]] == ["done", "refused"] and "meeting_id" in signed["items"][1]["problem"]["errors"]
    assert signed["items"][0]["id"] == meetings[0]["id"] and len(signed["items"][0]["event_ids"]) == 1
    again = client.post(f"/v1/meets/{meet.id}/lois/bulk", json={"items": [loi]}, headers=ORGANISER).get_json()
    assert again["items"][0]["status"] == "unchanged" and again["items"][0]["event_ids"] == []
    assert client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()["lois"]["count"] == 1

    meeting_id = meetings[0]["id"]
    ordered = {"status": "order_placed", "order_value": {"amount": "2000000"}}
    assert client.post(f"/v1/meetings/{meeting_id}/loi/follow-up", json=ordered, headers=ORGANISER).status_code == 200
    for corrected in ({**loi, "signed_on": "2027-07-31"}, {**loi, "signed_on": "2027-07-31", "delivery_terms": "FOB Srinagar"}):
        answer = client.post(f"/v1/meets/{meet.id}/lois/bulk", json={"items": [corrected]}, headers=ORGANISER).get_json()
        assert answer["items"][0]["status"] == "done"
    stored = client.get(f"/v1/meetings/{meeting_id}", headers=ORGANISER).get_json()["loi"]
    assert stored["status"] == "order_placed" and stored["signed_on"] == "2027-07-31" and stored["delivery_terms"] == "FOB Srinagar"
    assert [h["status"] for h in stored["history"]] == ["order_placed", "corrected", "corrected"]
    report = client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()
    assert report["lois"]["count"] == 1 and report["orders"]["count"] == 1 and report["orders"]["value_inr"] == "2000000.00"


def test_a_draft_is_refused_while_matching_has_registration_events_to_handle(meet_with_people, settings_for):
    client, _, meet = meet_with_people
    assert client.get("/v1/freshness", headers=ORGANISER).get_json()["up_to_date"] is True
    settings = settings_for("matching")
    topic = settings.topic(catalogue.TOPIC)
    ensure_topics(settings, [topic])
    producer = make_producer(settings)
    try:
        send_event(producer, topic, new_event(catalogue.MEET_UPDATED, "test", meet.id, {}))
    finally:
        producer.close()
    positions = client.get("/v1/freshness", headers=ORGANISER).get_json()
    assert positions["behind"] == 1 and positions["up_to_date"] is False
    assert {p["topic"] for p in positions["partitions"]} == {topic}

    refused = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    assert refused.status_code == 409
    seen = refused.get_json()["registration_seen"]
    assert seen["behind"] == 1 and seen["approved_known"] == {"seller": 3, "buyer": 2}
    forced = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"force": True}, headers=ORGANISER).get_json()
    assert "1 registration events still to handle" in forced["warnings"][0] and forced["stats"]["meetings"] > 0
    stored = client.application.extensions["matching"].schedules.get(meet.id)["draft"]
    assert stored["registration_seen"]["behind"] == 1


def test_a_draft_is_refused_while_registration_has_approved_people_matching_does_not_know(meet_with_people):
    client, deliver, meet = meet_with_people
    known = Application(meet.id, "s1", "seller", [s.id for s in meet.slots()], status="approved", version=3, decided_at=datetime.now(timezone.utc))
    deliver(participation_event(known, meet, {"seller": 5, "buyer": 2, "as_of": "2026-01-01T10:00:00+00:00"}))
    refused = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    assert refused.status_code == 409, refused.get_json()
    seen = refused.get_json()["registration_seen"]
    assert seen["approved_missing"] == {"seller": 2, "buyer": 0} and seen["approved_in_registration"] == {"seller": 5, "buyer": 2}
    assert "registration has approved 2 more sellers and 0 more buyers" in refused.get_json()["detail"]
    older = {"seller": 9, "buyer": 9, "as_of": "2025-01-01T10:00:00+00:00"}
    deliver(participation_event(Application(meet.id, "s2", "seller", [], status="approved", version=3), meet, older))
    withdrawn = Application(meet.id, "s3", "seller", [], status="withdrawn", version=3)
    deliver(participation_event(withdrawn, meet, {"seller": 2, "buyer": 2, "as_of": "2026-01-01T11:00:00+00:00"}))
    drafted = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    assert drafted.status_code == 200 and drafted.get_json()["warnings"] == [], drafted.get_json()


def test_a_client_asks_whether_its_events_were_handled(matching):  # noqa: F811
    client, _ = matching
    ledger = client.application.extensions["matching"].profiles.db["processed_events"]
    ledger.insert_one({"_id": "matching:event-seen", "type": "x"})
    answer = client.get("/v1/freshness/events", query_string=[("id", "event-seen"), ("id", "event-missing"), ("wait", "0.3")], headers=ORGANISER)
    assert answer.get_json() == {"seen": ["event-seen"], "missing": ["event-missing"], "up_to_date": False, "busy": False}
    as_the_header_gives_them = client.get("/v1/freshness/events?id=event-seen,event-missing", headers=ORGANISER).get_json()
    assert as_the_header_gives_them == {"seen": ["event-seen"], "missing": ["event-missing"], "up_to_date": False, "busy": False}
    assert client.get("/v1/freshness/events?id=event-seen").status_code == 401


def test_one_application_may_also_say_all_slots(client):
    meet = open_meet(client)
    seller = register(client)
    applied = client.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": seller["id"], "availability": "all"}, headers=ORGANISER)
    assert applied.status_code == 201 and applied.get_json()["availability"] == sorted(s["id"] for s in meet["slots"])
    assert applied.headers["X-Event-Ids"]
    wrong = client.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": seller["id"], "availability": "most"}, headers=ORGANISER)
    assert wrong.status_code == 422 and "availability" in wrong.get_json()["errors"]


def test_a_buyers_csv_gives_languages_spoken_and_contact_sharing_and_refuses_a_flag_it_cannot_read(client, db):
    csv = ("name,organisation,buyer_kind,country,international,email,languages,share_contact\n"
           "Sara Malik,Malik Crafts,importer,AE,yes,sara@malik.example,\"German، اُردُو، English\",no\n"
           "Omar Aziz,Aziz Trading,importer,AE,maybe,omar@aziz.example,English,yes\n")
    report = client.post("/v1/imports/buyers", data=csv, headers={**ORGANISER, "Content-Type": "text/csv"}).get_json()
    sara = db["participants"].find_one({"_id": report["rows"][0]["participant_id"]})
    assert report["rows"][0]["status"] == "created", report["rows"][0]
    assert sara["languages"] == ["ur", "en"]
    assert {"field": "languages.0", "given": "German", "canonical": "", "how": "left out: not a language the platform writes in"} in report["rows"][0]["mapped"]
    assert sara["preferred_language"] == "ur" and sara["share_contact"] is False
    assert report["rows"][1]["status"] == "refused" and "international" in report["rows"][1]["errors"]
