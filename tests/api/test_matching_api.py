"""Matching from registration's events to a published schedule, LoIs and the report.

Registration's own message builders make the events (the real contracts) and matching's
consumer handlers take them, on the real FerretDB; then the matching API is exercised.
"""
from dataclasses import replace
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from shared.contracts import registration as catalogue
from shared.envelope import Event
from services.matching.app import create_app
from services.matching.handlers import build_handlers
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.domain.participants import Participant
from services.registration.messages import meet_event, participant_event, participation_event
from tests.helpers import outbox_event_dicts, roster_settled
from tests.api.conftest import OPERATOR, ORGANISER

pytestmark = pytest.mark.stack


@pytest.fixture
def matching(settings_for):
    settings = settings_for("matching")
    app = create_app(settings)
    handlers = build_handlers(app.extensions["matching"].profiles.db, settings)

    def deliver(event: Event) -> None:
        handlers[event.type](event)

    return app.test_client(), deliver


AFTER_THE_MEET = datetime(2027, 7, 30, 18, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
"""The evening of ``meet_with_people``'s day at the venue: every meeting of it has begun."""


def clock_at(client, when: datetime = AFTER_THE_MEET) -> None:
    """Matching's clock (``Matching.clock``) stopped at ``when``, for what is recorded after
    a meeting: outcomes and Letters of Intent are taken once the meeting has begun."""
    client.application.extensions["matching"].clock = lambda: when.astimezone(timezone.utc)


def seller(n: int, district: str, category: str = "handloom", gi: str | None = "Kashmir Pashmina") -> Participant:
    return Participant(
        id=f"s{n}", role="seller", name=f"Weaver {n}", organisation=f"Loom {n}", country="IN", preferred_language="ks",
        languages=["ks", "en"], district=district, phone=f"+91981100{n:04d}",
        products=[{"id": f"p{n}", "name": "Pashmina shawl", "category": category, "gi_tag": gi, "export_ready": True, "certifications": []}],
    )


def buyer(n: int) -> Participant:
    return Participant(
        id=f"b{n}", role="buyer", name=f"Buyer {n}", organisation=f"Brand {n}", country="DE", international=True,
        preferred_language="en", languages=["en"], email=f"b{n}@example.de", buyer_kind="importer",
        sourcing={"categories": ["handloom"], "gi_tags": ["Kashmir Pashmina"], "products": ["pashmina"]},
    )


@pytest.fixture
def meet_with_people(matching):
    client, deliver = matching
    meet = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30)], session_start=time(10), session_end=time(12),
                meeting_minutes=30, tables=2, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-1")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    people = [seller(1, "Srinagar"), seller(2, "Budgam"), seller(3, "Pulwama", category="spices", gi=None), buyer(1), buyer(2)]
    for person in people:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        application = Application(meet.id, person.id, person.role, slots, status="approved", version=2)
        deliver(participation_event(application, meet))
    return client, deliver, meet


def test_recommendations_come_with_reasons_and_rank_fitting_sellers_first(meet_with_people):
    client, _, meet = meet_with_people
    response = client.get(f"/v1/meets/{meet.id}/recommendations/b1", headers=ORGANISER)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["seller"]["id"] for i in items][-1] == "s3"
    assert "makes GI-tagged Kashmir Pashmina, which you asked for" in items[0]["reasons"]
    assert client.get(f"/v1/meets/{meet.id}/recommendations/b1").status_code == 401
    assert len(client.get(f"/v1/meets/{meet.id}/recommendations/b1?limit=1", headers=ORGANISER).get_json()["items"]) == 1
    for bad in ("abc", "0", "101"):
        refused = client.get(f"/v1/meets/{meet.id}/recommendations/b1?limit={bad}", headers=ORGANISER)
        assert refused.status_code == 400 and "limit" in refused.get_json()["errors"], bad


def test_a_schedule_is_drafted_published_once_and_no_thanks_is_respected(meet_with_people):
    client, _, meet = meet_with_people
    assert client.put(f"/v1/meets/{meet.id}/preferences/b1/s1", json={"preference": "no_thanks"}, headers=ORGANISER).status_code == 200
    assert client.put(f"/v1/meets/{meet.id}/preferences/s3/b2", json={"preference": "must_meet"}, headers=ORGANISER).status_code == 200
    assert client.put(f"/v1/meets/{meet.id}/preferences/s1/s2", json={"preference": "must_meet"}, headers=ORGANISER).status_code == 409
    draft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER).get_json()
    pairs = {(m["seller_id"], m["buyer_id"]) for m in draft["meetings"]}
    assert ("s1", "b1") not in pairs and ("s3", "b2") in pairs
    assert draft["stats"]["value"] <= draft["stats"]["upper_bound"]
    slots_of = {}
    for m in draft["meetings"]:
        for who in (m["seller_id"], m["buyer_id"]):
            assert (who, m["slot_id"]) not in slots_of
            slots_of[(who, m["slot_id"])] = m
    first = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).get_json()
    again = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).get_json()
    assert first["newly_published"] == len(draft["meetings"]) and again["newly_published"] == 0
    assert len(client.get(f"/v1/meets/{meet.id}/meetings", headers=OPERATOR).get_json()["items"]) == len(draft["meetings"])


def test_lois_add_up_in_the_report_in_crore(meet_with_people):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    clock_at(client)
    inr = {"product": "Pashmina shawl", "quantity": {"value": "500", "unit": "piece"}, "value": {"amount": "7500000"}, "signed_on": "2027-07-30"}
    eur = {**inr, "value": {"amount": "30000", "currency": "EUR"}, "value_inr": "3000000"}
    first = client.post(f"/v1/meetings/{meetings[0]['id']}/loi", json=inr, headers=ORGANISER)
    assert first.status_code == 201
    assert [f["due"] for f in first.get_json()["loi"]["follow_up"]] == ["2027-08-29", "2027-09-28", "2027-10-28"]
    assert client.post(f"/v1/meetings/{meetings[1]['id']}/loi", json={**eur, "value_inr": None}, headers=ORGANISER).status_code == 422
    assert client.post(f"/v1/meetings/{meetings[1]['id']}/loi", json=eur, headers=ORGANISER).status_code == 201
    client.post(f"/v1/meetings/{meetings[2]['id']}/outcome", json={"outcome": "no_show_buyer"}, headers=ORGANISER)
    report = client.get(f"/v1/meets/{meet.id}/report", headers=OPERATOR).get_json()
    assert report["summary"] == "2 LoIs worth Rs 1.05 crore"
    assert report["meetings"]["no_show"] == 1
    assert {row["key"] for row in report["by"]["buyer_country"]} == {"DE"}
    csv_text = client.get(f"/v1/meets/{meet.id}/report?format=csv", headers=OPERATOR).get_data(as_text=True)
    scheduled = report["meetings"]["scheduled"]
    assert f'"total","","","{scheduled}","2","1","0","{scheduled - 3}","2","10500000.00","Rs 1.05 crore"' in csv_text


def test_a_completed_meet_s_report_settles_every_meeting_once_and_the_cross_meet_report_has_a_row_per_meet(meet_with_people):
    from services.matching.domain.reports import OUTCOMES

    client, deliver, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    assert len(meetings) >= 4
    clock_at(client)
    loi = {"product": "Pashmina shawl", "quantity": {"value": "5", "unit": "piece"}, "value": {"amount": "250000"}, "signed_on": "2027-07-30"}
    assert client.post(f"/v1/meetings/{meetings[0]['id']}/loi", json=loi, headers=ORGANISER).status_code == 201
    client.post(f"/v1/meetings/{meetings[1]['id']}/outcome", json={"outcome": "held"}, headers=ORGANISER)
    client.post(f"/v1/meetings/{meetings[2]['id']}/outcome", json={"outcome": "no_show_seller"}, headers=ORGANISER)
    meet.status, meet.version = "completed", meet.version + 10
    deliver(meet_event(catalogue.MEET_STATUS_CHANGED, meet, "live"))
    report = client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()
    assert report["meetings"] == {"scheduled": len(meetings), "held": 2, "no_show": 1, "cancelled": 0, "not_recorded": len(meetings) - 3}
    across = client.get("/v1/reports", headers=ORGANISER).get_json()
    [row] = across["by"]["meet"]
    assert (row["key"], row["name"], row["lois"], row["value_inr"]) == (meet.id, "Srinagar BSM", 1, "250000.00")
    assert row["meetings"] == {"total": len(meetings), **{o: report["meetings"][o] for o in OUTCOMES}}
    csv_rows = client.get("/v1/reports?format=csv", headers=ORGANISER).get_data(as_text=True).splitlines()
    assert csv_rows[0].startswith('"breakdown","key","name","meetings","held","no_show","cancelled","not_recorded","lois"')
    assert f'"meet","{meet.id}","Srinagar BSM","{len(meetings)}","2","1","0","{len(meetings) - 3}","1","250000.00"' in csv_rows[1]
    for path in (f"/v1/meets/{meet.id}/report?format=xml", "/v1/reports?format=pdf"):
        refused = client.get(path, headers=ORGANISER)
        assert refused.status_code == 400 and "format" in refused.get_json()["errors"]


def test_a_participant_sees_only_their_own_meetings(meet_with_people, settings_for):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    token = client.application.extensions["auth"].issue("s2")
    mine = client.get(f"/v1/meets/{meet.id}/meetings", headers={"Authorization": f"Bearer {token}"}).get_json()["items"]
    assert mine and all("s2" in (m["seller_id"], m["buyer_id"]) for m in mine)
    other = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    foreign = next(m for m in other if m["seller_id"] != "s2")
    assert client.get(f"/v1/meetings/{foreign['id']}", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_a_cancellation_drops_their_meetings_fills_places_and_moves_nobody(meet_with_people):
    client, deliver, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 2}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    before = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    result = client.post(f"/v1/meets/{meet.id}/cancellations", json={"participant_id": "b1", "reason": "no_show"}, headers=ORGANISER).get_json()
    assert result["cancelled"] and result["moved"] == []
    after = {m["id"]: m for m in client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]}
    for old in before:
        if "b1" in (old["seller_id"], old["buyer_id"]):
            assert after[old["id"]]["status"] == "cancelled"
        else:
            assert (after[old["id"]]["slot_id"], after[old["id"]]["table"], after[old["id"]]["status"]) == (old["slot_id"], old["table"], "scheduled")
    for added in result["added"]:
        assert after[added]["status"] == "scheduled" and "b1" not in (after[added]["seller_id"], after[added]["buyer_id"])
    live = [m for m in after.values() if m["status"] == "scheduled"]
    assert all(sum(who in (m["seller_id"], m["buyer_id"]) for m in live) <= 2 for who in ("s1", "s2", "s3", "b2")), \
        "the fill-ins keep the published draft's maximum (2) though the cancellation did not repeat it"


def test_a_cancellation_of_someone_not_in_the_meet_is_refused_naming_them(meet_with_people):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 2}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    before = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    refused = client.post(f"/v1/meets/{meet.id}/cancellations", json={"participant_id": "b9", "reason": "no_show"}, headers=ORGANISER)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json" and list(refused.get_json()["errors"]) == ["participant_id"]
    assert client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"] == before


def test_a_withdrawal_from_registration_cancels_that_persons_meetings(meet_with_people):
    client, deliver, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    withdrawn = Application(meet.id, "s2", "seller", [s.id for s in meet.slots()], status="withdrawn", version=3)
    deliver(participation_event(withdrawn, meet))
    meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    assert all(m["status"] == "cancelled" for m in meetings if m["seller_id"] == "s2")
    assert any(m["seller_id"] == "s2" for m in meetings)
    redraft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    assert redraft.status_code == 200 and all(m["seller_id"] != "s2" for m in redraft.get_json()["meetings"])


def test_each_participant_gets_a_calendar_feed_and_a_printable_agenda(meet_with_people):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    token = client.application.extensions["auth"].issue("b1")
    feed_token = client.post("/v1/participants/b1/feed-token", headers={"Authorization": f"Bearer {token}"}).get_json()["feed_token"]
    feed = client.get(f"/v1/meets/{meet.id}/agenda/b1.ics?token={feed_token}")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    text = feed.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "TZID:Asia/Kolkata" in text and "DTSTART;TZID=Asia/Kolkata:20270730T" in text
    assert text.count("BEGIN:VEVENT") == len(client.get(f"/v1/meets/{meet.id}/meetings", headers={"Authorization": f"Bearer {token}"}).get_json()["items"])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert client.get(f"/v1/meets/{meet.id}/agenda/b2.ics?token={feed_token}").status_code == 403
    page = client.get(f"/v1/meets/{meet.id}/agenda/b1", headers=ORGANISER)
    assert page.mimetype == "text/html" and "Brand 1" in page.get_data(as_text=True)


def test_requests_are_answered_by_the_person_asked_and_accepted_ones_come_first(meet_with_people):
    client, _, meet = meet_with_people
    auth = client.application.extensions["auth"]
    s3 = {"Authorization": f"Bearer {auth.issue('s3')}"}
    b2 = {"Authorization": f"Bearer {auth.issue('b2')}"}
    asked = client.post(f"/v1/meets/{meet.id}/requests", json={"to_id": "b2", "message": "Our saffron is GI-tagged"}, headers=s3)
    assert asked.status_code == 201 and asked.get_json()["status"] == "pending"
    assert client.post(f"/v1/meets/{meet.id}/requests", json={"to_id": "b2"}, headers=s3).status_code == 409
    request_id = asked.get_json()["id"]
    assert "_id" not in asked.get_json(), "a request reads the same from POST as from GET (id)"
    assert client.post(f"/v1/requests/{request_id}/accept", headers=s3).status_code == 403
    assert client.post(f"/v1/requests/{request_id}/accept", headers=b2).get_json()["status"] == "accepted"
    assert client.post(f"/v1/requests/{request_id}/decline", headers=b2).status_code == 409
    assert [r["message"] for r in client.get(f"/v1/meets/{meet.id}/requests", headers=b2).get_json()["items"]] == ["Our saffron is GI-tagged"]
    draft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER).get_json()
    assert {"seller_id": "s3", "buyer_id": "b2", "kind": "mutual_request"}.items() <= next(m for m in draft["meetings"] if m["seller_id"] == "s3").items()


def test_a_declined_request_is_never_scheduled_and_organisers_can_add_meetings(meet_with_people):
    client, _, meet = meet_with_people
    auth = client.application.extensions["auth"]
    request_id = client.post(f"/v1/meets/{meet.id}/requests", json={"to_id": "s1"}, headers={"Authorization": f"Bearer {auth.issue('b1')}"}).get_json()["id"]
    client.post(f"/v1/requests/{request_id}/decline", headers={"Authorization": f"Bearer {auth.issue('s1')}"})
    added = client.post(f"/v1/meets/{meet.id}/requests", json={"from_id": "s3", "to_id": "b1"}, headers=ORGANISER)
    assert added.status_code == 201 and added.get_json()["status"] == "accepted"
    pairs = {(m["seller_id"], m["buyer_id"]) for m in client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]}
    assert ("s1", "b1") not in pairs and ("s3", "b1") in pairs


def test_on_the_day_walk_ins_ratings_and_follow_ups_reach_the_report(meet_with_people):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert client.post(f"/v1/meets/{meet.id}/check-ins", json={"participant_id": "s3"}, headers=ORGANISER).get_json()["checked_in"]
    scheduled = {(m["seller_id"], m["buyer_id"]) for m in client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]}
    pair = next((s, b) for s in ("s1", "s2", "s3") for b in ("b1", "b2") if (s, b) not in scheduled)
    walk_in = client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": pair[0], "buyer_id": pair[1]}, headers=ORGANISER)
    assert walk_in.status_code == 201, walk_in.get_json()
    meeting = walk_in.get_json()
    assert meeting["kind"] == "walk_in"
    assert client.post(f"/v1/meets/{meet.id}/walk-ins", json={"seller_id": pair[0], "buyer_id": pair[1]}, headers=ORGANISER).status_code == 409
    party = {"Authorization": f"Bearer {client.application.extensions['auth'].issue(pair[1])}"}
    clock_at(client)
    rated = client.post(f"/v1/meetings/{meeting['id']}/rating", json={"stars": 5, "wants_to_continue": True}, headers=party)
    assert rated.get_json()["ratings"] == {"buyer": {"stars": 5, "wants_to_continue": True}}
    loi = {"product": "Pashmina shawl", "quantity": {"value": "100", "unit": "piece"}, "value": {"amount": "2500000"}, "signed_on": "2027-07-30"}
    assert client.post(f"/v1/meetings/{meeting['id']}/loi", json=loi, headers=party).status_code == 201
    assert client.post(f"/v1/meetings/{meeting['id']}/loi/follow-up", json={"status": "order_placed"}, headers=party).status_code == 422
    ordered = client.post(f"/v1/meetings/{meeting['id']}/loi/follow-up", json={"status": "order_placed", "order_value": {"amount": "1800000"}}, headers=party)
    assert ordered.get_json()["loi"]["status"] == "order_placed"
    report = client.get(f"/v1/meets/{meet.id}/report", headers=ORGANISER).get_json()
    converted = report["orders"].pop("over_follow_ups")
    assert report["orders"] == {"count": 1, "value_inr": "1800000.00", "value_words": "Rs 18.00 lakh", "conversion": 1.0}
    assert converted["lois"] == 1 and converted["status"]["order_placed"] == 1
    assert [(f["days"], f["orders"]) for f in converted["by_follow_up"]] == [(30, 1), (60, 1), (90, 1)]
    assert client.get("/v1/reports", headers=OPERATOR).get_json()["lois"]["count"] == 1


def test_pairs_without_a_common_language_get_an_interpreter_from_the_pool_named_in_the_feed(matching):
    client, deliver = matching
    meet = Meet(name="International BSM", venue="University of Kashmir", city="Srinagar", days=[date(2027, 9, 4)], session_start=time(10),
                session_end=time(11), meeting_minutes=30, tables=4, capacity_sellers=10, capacity_buyers=5, status=OPEN, id="meet-2",
                timezone="Asia/Dubai")
    deliver(meet_event(catalogue.MEET_CREATED, meet))
    slots = [s.id for s in meet.slots()]
    kashmiri_only = Participant(**{**seller(7, "Budgam").__dict__, "languages": ["ks"]})
    people = [kashmiri_only, Participant(**{**seller(8, "Srinagar").__dict__, "languages": ["ks"]}), buyer(7)]
    for person in people:
        deliver(participant_event(catalogue.PARTICIPANT_REGISTERED, person))
        deliver(participation_event(Application(meet.id, person.id, person.role, slots, status="approved", version=2), meet))
    assert client.put(f"/v1/meets/{meet.id}/interpreters/int-1", json={"name": "Rafiq", "languages": ["ks", "en"], "availability": slots}, headers=ORGANISER).status_code == 200
    assert client.put(f"/v1/meets/{meet.id}/interpreters/int-2", json={"name": "Xavier", "languages": ["ks", "en"], "availability": ["nope"]}, headers=ORGANISER).status_code == 409
    named = client.put(f"/v1/meets/{meet.id}/interpreters/int-3", json={"name": "Zoya", "languages": ["Kashmiri", "en"], "availability": slots}, headers=ORGANISER)
    assert named.status_code == 422 and "languages" in named.get_json()["errors"]
    assert client.get(f"/v1/meets/{meet.id}/interpreters", headers=OPERATOR).get_json() == {
        "items": [{"interpreter_id": "int-1", "name": "Rafiq", "languages": ["ks", "en"], "availability": slots}]}
    meetings = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).get_json()["meetings"]
    assert len(meetings) == 2 and {m["interpreter"] for m in meetings} == {"int-1"}
    assert len({m["slot_id"] for m in meetings}) == 2
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200
    published = client.application.extensions["matching"].meetings.collection.find({"meet_id": meet.id})
    assert {(m["interpreter"], m["interpreter_name"]) for m in published} == {("int-1", "Rafiq")}
    buyer_side = {"Authorization": f"Bearer {client.application.extensions['auth'].issue('b7')}"}
    mine = client.get(f"/v1/meets/{meet.id}/meetings", headers=buyer_side).get_json()["items"]
    assert [(m["interpreter_name"], m["interpreter_languages"]) for m in mine] == [("Rafiq", ["ks", "en"])] * 2, \
        "a participant, who never sees the pool, reads the interpreter's languages on the meeting"
    feed = client.get(f"/v1/meets/{meet.id}/agenda/b7.ics", headers=ORGANISER)
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(feed.get_data())
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Dubai"]
    assert sorted(e.start.astimezone(timezone.utc).strftime("%H:%M") for e in calendar.events) == ["06:00", "06:30"]
    assert all(e["SUMMARY"].endswith("interpreter Rafiq)") for e in calendar.events)


def test_follow_ups_are_announced_once_when_they_come_due(meet_with_people):
    from datetime import date as day

    from services.matching.actions import announce_follow_ups_due

    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings_by_participant": {"b1": 1}}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meetings = client.get(f"/v1/meets/{meet.id}/meetings?limit=1", headers=ORGANISER).get_json()
    assert len(meetings["items"]) == 1 and meetings["next_cursor"]
    all_meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    assert sum(1 for m in all_meetings if m["buyer_id"] == "b1") == 1
    meeting_id = all_meetings[0]["id"]
    clock_at(client)
    loi = {"product": "Pashmina shawl", "quantity": {"value": "10", "unit": "piece"}, "value": {"amount": "150000"}, "signed_on": "2027-07-30"}
    assert client.post(f"/v1/meetings/{meeting_id}/loi", json=loi, headers=ORGANISER).status_code == 201
    context = client.application.extensions["matching"]
    assert announce_follow_ups_due(context, day(2027, 8, 28)) == 0
    assert announce_follow_ups_due(context, day(2027, 9, 30)) == 1, "a worker that ran late asks once, about the latest"
    assert announce_follow_ups_due(context, day(2027, 9, 30)) == 0
    stored = context.meetings.collection.find_one({"_id": meeting_id})
    due_events = [e for e in outbox_event_dicts(stored) if e["type"].endswith("follow_up_due.v1")]
    assert [(e["data"]["due"], e["data"]["days_after_signing"]) for e in due_events] == [("2027-09-28", 60)]
    assert stored["next_follow_up_due"] == "2027-10-28"


def test_organisers_lock_meetings_before_a_rerun(meet_with_people):
    client, _, meet = meet_with_people
    last_slot = meet.slots()[-1].id
    assert client.post(f"/v1/meets/{meet.id}/schedule/locks", json={"seller_id": "s3", "buyer_id": "b1", "slot_id": last_slot, "table": 2}, headers=ORGANISER).status_code == 201
    draft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).get_json()
    [pinned] = [m for m in draft["meetings"] if (m["seller_id"], m["buyer_id"]) == ("s3", "b1")]
    assert (pinned["slot_id"], pinned["table"]) == (last_slot, 2)
    clash = client.post(f"/v1/meets/{meet.id}/schedule/locks", json={"seller_id": "s1", "buyer_id": "b1", "slot_id": last_slot}, headers=ORGANISER)
    assert clash.status_code == 409 and "b1 is already locked into a meeting in slot" in clash.get_json()["detail"]


def test_a_lock_in_a_slot_the_meet_gave_up_is_named_until_it_is_removed(meet_with_people):
    client, deliver, meet = meet_with_people
    last_slot = meet.slots()[-1].id
    assert client.post(f"/v1/meets/{meet.id}/schedule/locks", json={"seller_id": "s3", "buyer_id": "b1", "slot_id": last_slot, "table": 2}, headers=ORGANISER).status_code == 201
    shorter = replace(meet, session_end=time(11, 30), version=meet.version + 1)
    deliver(meet_event(catalogue.MEET_UPDATED, shorter))
    refused = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER)
    assert refused.status_code == 409, refused.get_json()
    assert f"s3/b1 is locked in slot {last_slot}, which the meet no longer has" in refused.get_json()["detail"]
    assert client.delete(f"/v1/meets/{meet.id}/schedule/locks/s3/b1", headers=ORGANISER).status_code == 204
    assert client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).status_code == 200


def test_an_approved_participant_hears_of_their_best_matches(meet_with_people):
    from services.matching.actions import suggest_due

    client, _, meet = meet_with_people
    context = client.application.extensions["matching"]
    assert suggest_due(context, now=roster_settled()) == 5
    doc = context.meets.db["participation"].find_one({"_id": f"{meet.id}:b2"})
    [event] = [e for e in outbox_event_dicts(doc) if e["type"].endswith("match_scores.updated.v1")]
    assert [m["counterpart_id"] for m in event["data"]["top"]][:2] in (["s1", "s2"], ["s2", "s1"])
    assert event["data"]["top"][0]["reasons"]


def test_an_loi_in_a_made_up_currency_is_refused_naming_it(meet_with_people):
    client, _, meet = meet_with_people
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meeting = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"][0]
    clock_at(client)
    loi = {"product": "Pashmina shawl", "quantity": {"value": "10", "unit": "piece"}, "signed_on": "2027-07-30",
           "value": {"amount": "1000", "currency": "ZZZ"}, "value_inr": "90000"}
    refused = client.post(f"/v1/meetings/{meeting['id']}/loi", json=loi, headers=ORGANISER)
    assert refused.status_code == 422 and "currency" in refused.get_json()["errors"]["value"], refused.get_json()
    for replaced in ("DEM", "HRK", "XAU", "XTS"):
        refused = client.post(f"/v1/meetings/{meeting['id']}/loi", json={**loi, "value": {"amount": "1000", "currency": replaced}}, headers=ORGANISER)
        assert refused.status_code == 422 and "currency" in refused.get_json()["errors"]["value"], (replaced, refused.get_json())
    worthless = [({**loi, "value": {"amount": "0", "currency": "EUR"}}, ("value", "amount")), ({**loi, "value": {"amount": "0.00"}}, ("value", "amount")),
                 ({**loi, "quantity": {"value": "0", "unit": "piece"}}, ("quantity", "value")), ({**loi, "value_inr": "0"}, ("value_inr",))]
    for body, path in worthless:
        refused = client.post(f"/v1/meetings/{meeting['id']}/loi", json=body, headers=ORGANISER)
        errors = refused.get_json().get("errors", {})
        for key in path:
            errors = errors.get(key, {}) if isinstance(errors, dict) else errors
        assert refused.status_code == 422 and errors, (body, refused.get_json())
    taken = client.post(f"/v1/meetings/{meeting['id']}/loi", json={**loi, "value": {"amount": "1000", "currency": "EUR"}}, headers=ORGANISER)
    assert taken.status_code == 201 and taken.get_json()["loi"]["value"]["currency"] == "EUR"
