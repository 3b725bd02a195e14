"""What may be recorded about a meeting, on the participant's meeting page and the
organiser's day page, without the services: the forms only once the meeting has begun on
the venue's wall clock (before, when), an LoI's date between the meeting's day and today at
the venue, and matching's 409 and 422 shown beside the form, never as an error page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared import meeting_times
from web.app import create_app
from web.clients import ApiError
from tests.unit.test_web_organiser import sign_in
from web.organiser import applications, day as day_page
from web.participant import agenda
from tests.offline import NO_SERVICES

KOLKATA = ZoneInfo("Asia/Kolkata")
AHEAD = {"day": "2099-07-30", "start": "10:00", "end": "10:20"}
HELD = {"day": "2020-07-30", "start": "10:00", "end": "10:20"}


def meeting(when: dict, **more) -> dict:
    """A published meeting as matching sends it."""
    return {"id": "mt1", "meet_id": "m1", "seller_id": "s1", "buyer_id": "b1", "seller_name": "Ghulam Nabi Dar", "buyer_name": "Asha Mehta",
            "slot_id": f"{when['day']}T1000", "table": 2, "timezone": "Asia/Kolkata", "status": "scheduled", **when, **more}


def today_at_the_venue() -> str:
    return datetime.now(KOLKATA).date().isoformat()


class Matching:
    """Matching's meeting endpoints for the participant's pages: the meeting, and what it
    answers to a POST (a JSON body, or an ApiError to raise)."""

    def __init__(self, found: dict, answer=None):
        self.found, self.answer, self.posted = found, answer, []

    def get_json(self, service, path, **kwargs):
        return self.found

    def post_json(self, service, path, body=None, **kwargs):
        self.posted.append((path, body))
        if isinstance(self.answer, ApiError):
            raise self.answer
        return self.answer


@pytest.fixture
def client():
    app = create_app(NO_SERVICES)
    app.config["TESTING"] = True
    return app.test_client()


def signed_in(client, language: str = "en", participant_id: str = "s1", side: str = "seller") -> None:
    """The client's session is a participant's (the seller s1 unless told), with the form token ``t``."""
    with client.session_transaction() as kept:
        kept.update(participant_id=participant_id, side=side, token="participant-token", csrf="t")
    client.set_cookie("lang", language)


def signed_in_seller(client, language: str = "en") -> None:
    signed_in(client, language)


def fake(monkeypatch, matching: Matching) -> Matching:
    monkeypatch.setattr(agenda, "get_json", matching.get_json)
    monkeypatch.setattr(agenda, "post_json", matching.post_json)
    return matching


def error_of(page: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="e-{name}"[^>]*>([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_a_meeting_has_begun_when_its_slot_starts_on_the_venues_wall_clock():
    dubai = {"day": "2027-07-30", "start": "10:00", "timezone": "Asia/Dubai"}
    assert not meeting_times.has_begun(dubai, datetime(2027, 7, 30, 5, 59, tzinfo=timezone.utc))
    assert meeting_times.has_begun(dubai, datetime(2027, 7, 30, 6, 0, tzinfo=timezone.utc))
    assert meeting_times.has_begun({"day": "2027-07-30", "start": "10:00"}, datetime(2027, 7, 30, 4, 30, tzinfo=timezone.utc)), "Kolkata by default"
    late = datetime(2027, 7, 30, 20, 0, tzinfo=timezone.utc)
    assert meeting_times.signed_on_range(dubai, late) == ("2027-07-30", "2027-07-31"), "already tomorrow at the venue"
    assert meeting_times.signed_on_possible(dubai, "2027-07-31", late)
    assert not meeting_times.signed_on_possible(dubai, "2027-07-29", late)
    assert not meeting_times.signed_on_possible(dubai, "2027-08-01", late)
    assert not meeting_times.signed_on_possible(dubai, "soon", late)


def test_before_the_meeting_its_page_says_when_it_can_be_recorded_and_offers_no_form(client, monkeypatch):
    signed_in_seller(client, "ur")
    matching = fake(monkeypatch, Matching(meeting(AHEAD)))
    page = client.get("/meetings/mt1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="outcome"' not in text and "/meetings/mt1/loi" not in text
    assert 'id="not-yet"' in text and "10:00" in text and "2099" in text
    assert "ملاقات شروع ہونے کے بعد" in text, "in the page's language"
    sent = client.post("/meetings/mt1", data={"csrf_token": "t", "outcome": "held"})
    assert sent.status_code == 409 and 'id="not-yet"' in sent.get_data(as_text=True) and 'role="alert"' in sent.get_data(as_text=True)
    loi = client.post("/meetings/mt1/loi", data={"csrf_token": "t", "product": "Shawl", "signed_on": "2099-07-30"})
    assert loi.status_code == 409 and 'id="not-yet"' in loi.get_data(as_text=True)
    assert matching.posted == []


def test_once_begun_the_forms_are_offered_and_the_loi_date_runs_from_the_meetings_day_to_today(client, monkeypatch):
    signed_in_seller(client)
    fake(monkeypatch, Matching(meeting(HELD)))
    before = today_at_the_venue()
    text = client.get("/meetings/mt1").get_data(as_text=True)
    after = today_at_the_venue()
    assert 'name="outcome"' in text and 'action="/meetings/mt1/loi"' in text and 'id="not-yet"' not in text
    signed = re.search(r'<input id="f-signed_on"[^>]*>', text).group(0)
    assert re.search(r'value="([^"]+)"', signed).group(1) in (before, after)
    assert re.search(r'max="([^"]+)"', signed).group(1) in (before, after)
    assert 'min="2020-07-30"' in signed


def test_matchings_refusal_of_an_outcome_is_shown_beside_the_form_not_as_an_error_page(client, monkeypatch):
    signed_in_seller(client)
    refused = ApiError(409, {"title": "Conflict", "detail": "The meeting changed meanwhile: try again."})
    fake(monkeypatch, Matching(meeting(HELD), refused))
    page = client.post("/meetings/mt1", data={"csrf_token": "t", "outcome": "held"})
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and 'name="outcome"' in text
    assert error_of(text, "outcome") == "The meeting changed meanwhile: try again."


def test_matchings_not_begun_is_said_in_the_pages_language_and_its_other_refusals_in_its_words(client):
    not_begun = ApiError(409, {"title": "Conflict", "detail": "The meeting begins on 2099-07-30 at 10:00 (Asia/Kolkata)"})
    with client.application.test_request_context(headers={"Cookie": "lang=hi"}):
        assert agenda.refusal(not_begun, meeting(AHEAD)).startswith("बैठक शुरू होने के बाद")
        assert "10:00" in agenda.refusal(not_begun, meeting(AHEAD))
        changed = ApiError(409, {"title": "Conflict", "detail": "The meeting changed meanwhile."})
        assert agenda.refusal(changed, meeting(HELD)) == "The meeting changed meanwhile."


def test_an_loi_date_matching_refuses_is_named_beside_the_date_field(client, monkeypatch):
    signed_in_seller(client)
    invalid = ApiError(422, {"title": "Unprocessable Entity", "detail": "The request is invalid.",
                             "errors": {"signed_on": ["2020-07-30 is after today (2020-07-29 at the venue)"]}})
    matching = fake(monkeypatch, Matching(meeting(HELD), invalid))
    form = {"csrf_token": "t", "product": "Pashmina shawl", "quantity": "200", "unit": "piece", "amount": "3500000", "signed_on": "2020-07-30"}
    page = client.post("/meetings/mt1/loi", data=form)
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and len(matching.posted) == 1
    assert error_of(text, "signed_on").startswith("A Letter of Intent is signed at the meeting or after it")
    assert 'value="Pashmina shawl"' in text, "what was typed stays"


def test_an_loi_dated_before_the_meeting_or_after_today_is_not_sent(client, monkeypatch):
    signed_in_seller(client)
    matching = fake(monkeypatch, Matching(meeting(HELD), {"id": "mt1"}))
    tomorrow = (datetime.now(KOLKATA).date() + timedelta(days=1)).isoformat()
    for signed_on in ("2020-07-29", tomorrow, ""):
        page = client.post("/meetings/mt1/loi", data={"csrf_token": "t", "product": "Shawl", "quantity": "1", "unit": "piece",
                                                      "amount": "100", "signed_on": signed_on})
        assert page.status_code == 422 and "2020" in error_of(page.get_data(as_text=True), "signed_on"), signed_on
    assert matching.posted == []
    recorded = client.post("/meetings/mt1/loi", data={"csrf_token": "t", "product": "Shawl", "quantity": "1", "unit": "piece",
                                                      "amount": "100", "signed_on": "2020-07-30"})
    assert recorded.status_code == 302 and matching.posted[0][1]["signed_on"] == "2020-07-30"


def test_a_refused_loi_without_named_fields_is_said_above_its_form(client, monkeypatch):
    signed_in_seller(client)
    fake(monkeypatch, Matching(meeting(HELD), ApiError(409, {"title": "Conflict", "detail": "A Letter of Intent follows a meeting that was held."})))
    page = client.post("/meetings/mt1/loi", data={"csrf_token": "t", "product": "Shawl", "quantity": "1", "unit": "piece", "amount": "1",
                                                  "signed_on": "2020-07-30"})
    assert page.status_code == 409
    assert '<p class="error" role="alert">A Letter of Intent follows a meeting that was held.</p>' in page.get_data(as_text=True)


@pytest.fixture
def day_of(monkeypatch):
    """The day's page over the given meetings; the bulk calls answer with ``reports``."""
    sent: list[tuple[str, dict]] = []

    def setup(meetings: list[dict], reports: dict[str, dict] | None = None):
        monkeypatch.setattr(day_page, "get", lambda service, path, **kw: {"id": "m1", "name": "Meet", "slots": [], "tables": 2})
        monkeypatch.setattr(day_page, "approved", lambda meet_id: {"seller": [], "buyer": []})
        monkeypatch.setattr(day_page, "published_meetings", lambda meet_id: [dict(m) for m in meetings])

        def post(service, path, body=None, **kwargs):
            sent.append((path, body))
            return (reports or {})[path.rsplit("/", 2)[-2]]

        monkeypatch.setattr(applications, "post", post)
        return sent

    return setup


def test_the_day_page_offers_outcome_and_loi_fields_only_for_meetings_that_have_begun(client, day_of):
    sign_in(client)
    day_of([meeting(HELD), meeting(AHEAD, id="mt2", seller_id="s2", seller_name="Shafiqa Bano")])
    before = today_at_the_venue()
    text = client.get("/organiser/meets/m1/day").get_data(as_text=True)
    after = today_at_the_venue()
    assert len(re.findall(r'<select name="outcome_\d+"', text)) == 1
    assert 'aria-label="Outcome: Ghulam Nabi Dar – Asha Mehta"' in text
    assert 'aria-label="Outcome: Shafiqa Bano – Asha Mehta"' not in text and 'value="s2"' not in text
    assert "Outcome and LoI from 2099-07-30 10:00" in text
    signed = re.search(r'<input type="date" name="signed_0"[^>]*>', text).group(0)
    assert 'value="2020-07-30"' in signed and 'min="2020-07-30"' in signed
    assert re.search(r'max="([^"]+)"', signed).group(1) in (before, after)


def test_refusals_of_the_days_outcomes_and_lois_are_shown_on_their_rows_as_typed(client, day_of):
    sign_in(client)
    other = meeting(HELD, id="mt2", seller_id="s2", seller_name="Shafiqa Bano")
    refused_loi = {"index": 0, "status": "refused", "problem": {"status": 422, "title": "Unprocessable Entity", "detail": "2020-07-29 is before",
                                                                  "errors": {"signed_on": ["2020-07-29 is before the meeting (2020-07-30)."]}}}
    refused_outcome = {"index": 1, "status": "refused", "problem": {"status": 409, "title": "Conflict", "detail": "The meeting begins later."}}
    sent = day_of([meeting(HELD), other], {
        "outcomes": {"counts": {"done": 1, "unchanged": 0, "refused": 1}, "items": [{"index": 0, "status": "done"}, refused_outcome]},
        "lois": {"counts": {"done": 0, "unchanged": 0, "refused": 1}, "items": [refused_loi]},
    })
    form = {"csrf_token": "t", "seller_0": "s1", "buyer_0": "b1", "outcome_0": "held", "product_0": "Pashmina shawl", "value_0": "1250000",
            "quantity_0": "50", "unit_0": "piece", "signed_0": "2020-07-29", "seller_1": "s2", "buyer_1": "b1", "outcome_1": "no_show_buyer"}
    page = client.post("/organiser/meets/m1/day/results", data=form)
    text = page.get_data(as_text=True)
    assert [path for path, _body in sent] == ["/v1/meets/m1/outcomes/bulk", "/v1/meets/m1/lois/bulk"]
    assert page.status_code == 422
    assert "Outcomes: 1 done, 0 unchanged, 1 refused." in text and "Letters of Intent: 0 done, 0 unchanged, 1 refused." in text
    rows = dict(re.findall(r'<p class="error" role="alert" id="refused-(\d+)">([^<]*)</p>', text))
    assert rows == {"0": "Ghulam Nabi Dar – Asha Mehta: LoI refused: Signed on: 2020-07-29 is before the meeting (2020-07-30).",
                    "1": "Shafiqa Bano – Asha Mehta: Outcome refused: The meeting begins later."}
    assert 'name="product_0" value="Pashmina shawl"' in text and 'name="signed_0" value="2020-07-29"' in text
    assert re.search(r'<select name="outcome_1"[^>]*>.*?<option value="no_show_buyer" selected>', text)


def test_the_days_outcomes_all_taken_go_back_to_the_page_with_the_counts(client, day_of):
    sign_in(client)
    day_of([meeting(HELD)], {"outcomes": {"counts": {"done": 1, "unchanged": 0, "refused": 0}, "items": [{"index": 0, "status": "done"}]}})
    answer = client.post("/organiser/meets/m1/day/results", data={"csrf_token": "t", "seller_0": "s1", "buyer_0": "b1", "outcome_0": "held"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/organiser/meets/m1/day"
