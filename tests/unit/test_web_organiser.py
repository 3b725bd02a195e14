"""The organiser pages' own logic without the services: the schedule grid, the meet form's
body, the day's outcome and LoI rows, the charts, the sign-in and the draft's 409 page."""
from __future__ import annotations

import base64
import re

import pytest
from werkzeug.datastructures import MultiDict

from web.app import create_app
from web.clients import ApiError
from web.organiser import charts, schedule, session as organiser_session
from web.organiser.day import loi_items
from web.organiser.grid import grid, reasons
from web.organiser.meets import meet_body
from tests.offline import NO_SERVICES

SLOTS = [{"id": f"2027-07-30T{h}", "day": "2027-07-30", "start": f"{h[:2]}:{h[2:]}", "end": ""} for h in ("1000", "1020", "1040")]


def test_the_grid_has_a_row_per_used_slot_and_a_column_per_used_table():
    meetings = [{"slot_id": "2027-07-30T1020", "table": 2, "seller_id": "s1", "buyer_id": "b1"},
                {"slot_id": "2027-07-30T1000", "table": 1, "seller_id": "s2", "buyer_id": "b1"},
                {"slot_id": "2027-07-30T1000", "table": 0, "seller_id": "s3", "buyer_id": "b2"}]
    shown = grid(meetings, SLOTS, tables=3)
    assert shown["tables"] == [1, 2]
    assert [row["slot"]["id"] for row in shown["rows"]] == ["2027-07-30T1000", "2027-07-30T1020"]
    assert [[c and c["seller_id"] for c in row["cells"]] for row in shown["rows"]] == [["s2", None], [None, "s1"]]
    assert [m["seller_id"] for m in shown["unplaced"]] == ["s3"]


def test_left_out_reasons_are_counted_commonest_first():
    assert reasons([{"reason": "caps"}, {"reason": "tables"}, {"reason": "caps"}]) == [("caps", 2), ("tables", 1)]


def test_the_meet_form_becomes_registrations_body():
    body = meet_body(MultiDict({"name": "Meet", "venue": "SKICC", "city": "Srinagar", "first_day": "2027-07-30", "day_count": "2",
                                "session_start": "10:00", "session_end": "17:00", "break_start": "13:00", "break_end": "14:00",
                                "meeting_minutes": "20", "gap_minutes": "5", "tables": "15", "capacity_sellers": "45", "capacity_buyers": "x"}))
    assert body["days"] == ["2027-07-30", "2027-07-31"]
    assert body["breaks"] == [{"start": "13:00", "end": "14:00"}]
    assert (body["meeting_minutes"], body["tables"], body["capacity_buyers"]) == (20, 15, "x")
    assert meet_body(MultiDict({"first_day": "30/07/2027"}))["days"] == ["30/07/2027"]


def test_the_days_table_gives_outcomes_and_lois_only_for_filled_rows():
    form = MultiDict({"seller_0": "s1", "buyer_0": "b1", "outcome_0": "held", "product_0": "Pashmina shawl", "value_0": "12,50,000",
                      "quantity_0": "50", "unit_0": "piece", "signed_0": "2027-07-30",
                      "seller_1": "s2", "buyer_1": "b1", "outcome_1": "", "product_1": "", "value_1": ""})
    outcomes, lois = loi_items(form)
    assert outcomes == [{"seller_id": "s1", "buyer_id": "b1", "outcome": "held"}]
    assert lois == [{"seller_id": "s1", "buyer_id": "b1", "product": "Pashmina shawl", "value": {"amount": "1250000"},
                     "quantity": {"value": "50", "unit": "piece"}, "signed_on": "2027-07-30"}]


def test_a_breakdown_chart_is_an_svg_of_each_group_with_no_script_needed():
    rows = [{"key": "Srinagar", "meetings": {"total": 3, "held": 2}, "lois": 1, "value_inr": "1250000.00"},
            {"key": "Budgam", "meetings": {"total": 2, "held": 0}, "lois": 0, "value_inr": "0.00"}]
    svg = charts.breakdown_chart("Meetings by district", rows)
    assert svg.lstrip().startswith("<svg") and "Srinagar" in svg and "Budgam" in svg
    value = charts.value_chart("Value", rows)
    assert "12.5" in value
    assert re.findall(r'class="guides"><path[^>]*/><text[^>]*>([0-9.]+)</text>', svg) == ["0", "1", "2", "3"], "counts on a whole-number axis"
    uri = charts.data_uri(svg)
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


@pytest.fixture
def client():
    app = create_app(NO_SERVICES)
    app.config["TESTING"] = True
    return app.test_client()


def sign_in(client) -> None:
    """The client's session holds a sealed organiser key and the form token ``t``."""
    with client.application.test_request_context():
        token = organiser_session.sealed("good-organiser-key")
    with client.session_transaction() as kept:
        kept[organiser_session.KEY] = token
        kept["csrf"] = "t"


def meet_page(service, path, **kwargs):
    return {"id": "m1", "name": "Meet", "slots": SLOTS, "tables": 2}


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_pages_ask_for_the_organiser_key_and_keep_only_one_registration_accepts(client, monkeypatch):
    assert client.get("/organiser/meets/m1").headers["Location"] == "/organiser/sign-in?next=/organiser/meets/m1"
    keys = []

    def staff_list(service, path, token=None, **kwargs):
        keys.append(token)
        if token != "good-organiser-key":
            raise ApiError(401, {"title": "Unauthorized"})
        return {"items": []}

    monkeypatch.setattr(organiser_session.clients, "get_json", staff_list)
    token = csrf(client, "/organiser/sign-in")
    refused = client.post("/organiser/sign-in", data={"csrf_token": token, "key": "guess", "next": "/organiser/meets/m1"})
    assert refused.status_code == 401 and "not an organiser" in refused.get_data(as_text=True)
    accepted = client.post("/organiser/sign-in", data={"csrf_token": token, "key": "good-organiser-key", "next": "/organiser/meets/m1"})
    assert accepted.headers["Location"] == "/organiser/meets/m1"
    assert keys == ["guess", "good-organiser-key"]
    with client.session_transaction() as kept:
        assert "good-organiser-key" not in kept[organiser_session.KEY]
    with client.application.test_request_context():
        assert organiser_session._fernet(client.application.secret_key).decrypt(kept[organiser_session.KEY].encode()) == b"good-organiser-key"


def test_a_sign_in_lasts_a_working_day_and_a_tampered_key_is_no_sign_in(client, monkeypatch):
    import time

    from flask import session

    with client.application.test_request_context():
        token = organiser_session.sealed("good-organiser-key")
        session[organiser_session.KEY] = token
        assert organiser_session.api_key() == "good-organiser-key"
        session[organiser_session.KEY] = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
        assert organiser_session.api_key() is None
        session[organiser_session.KEY] = "good-organiser-key"
        assert organiser_session.api_key() is None
        session[organiser_session.KEY] = token
        later = time.time() + organiser_session.SIGN_IN_SECONDS + 60
        monkeypatch.setattr("cryptography.fernet.time.time", lambda: later)
        assert organiser_session.api_key() is None


def test_a_draft_refused_while_matching_catches_up_shows_the_counts_and_offers_draft_anyway(client, monkeypatch):
    sign_in(client)
    seen = {"approved_known": {"seller": 3, "buyer": 1}, "approved_in_registration": {"seller": 4, "buyer": 2}, "behind": 5}
    sent = []

    def draft(service, path, body=None, **kwargs):
        sent.append(body)
        raise ApiError(409, {"title": "Conflict", "detail": "Matching knows 3 approved sellers", "registration_seen": seen})

    monkeypatch.setattr(schedule, "get", meet_page)
    monkeypatch.setattr(schedule, "post", draft)
    page = client.post("/organiser/meets/m1/schedule/draft", data={"csrf_token": "t", "max_meetings": "8", "time_limit_s": "5", "priority": "compact"})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert sent == [{"force": False, "max_meetings": 8, "time_limit_s": 5.0, "objectives": ["required", "breaks", "value"]}]
    assert html.count('name="priority" value="compact"') == 2  # both buttons draft with the same choice
    assert re.search(r"<td>3</td><td>1</td>", html) and re.search(r"<td>4</td><td>2</td>", html)
    assert 'name="force" value="true"' in html and "Draft anyway" in html


def test_a_file_registration_cannot_read_comes_back_to_the_upload_form_with_its_reason(client, monkeypatch):
    from io import BytesIO

    from web.organiser import imports

    sign_in(client)
    sent = []

    def refuse(service, method, path, **kwargs):
        sent.append((service, method, path, kwargs["headers"]["Content-Type"], kwargs["data"]))
        raise ApiError(400, {"title": "Bad Request", "detail": "The file cannot be imported: no name column.", "errors": {"file": ["no name column"]}})

    monkeypatch.setattr(imports, "get", meet_page)
    monkeypatch.setattr(imports, "call", refuse)
    answer = client.post("/organiser/meets/m1/imports", data={"csrf_token": "t", "kind": "sellers", "apply": "1",
                                                               "file": (BytesIO(b"nom;district\n"), "weavers.csv", "application/vnd.ms-excel")},
                         content_type="multipart/form-data")
    assert answer.headers["Location"] == "/organiser/meets/m1/imports"
    assert sent == [("registration", "POST", "/v1/imports/sellers", "text/csv", b"nom;district\n")]
    page = client.get("/organiser/meets/m1/imports").get_data(as_text=True)
    assert "no name column" in page


def test_a_follow_up_row_becomes_matchings_body():
    from web.organiser.follow_ups import follow_up_body

    assert follow_up_body(MultiDict({"status": "order_placed", "order_value": " 10,00,000 ", "note": ""})) == {
        "status": "order_placed", "order_value": {"amount": "1000000"}}
    assert follow_up_body(MultiDict({"status": "lapsed", "order_value": "", "note": "Buyer chose another supplier"})) == {
        "status": "lapsed", "note": "Buyer chose another supplier"}


def test_a_key_the_services_no_longer_take_is_forgotten_and_asked_for_again(client, monkeypatch):
    sign_in(client)

    def refused(*args, **kwargs):
        raise ApiError(401, {"title": "Unauthorized"})

    monkeypatch.setattr(organiser_session.clients, "call", refused)
    answer = client.get("/organiser/meets/m1/results")
    assert answer.status_code == 302 and answer.headers["Location"] == "/organiser/sign-in?next=/organiser/meets/m1/results"
    with client.session_transaction() as kept:
        assert organiser_session.KEY not in kept
    assert client.post("/organiser/meets/m1/status", data={"csrf_token": "t", "status": "live"}).headers["Location"] == "/organiser/sign-in"


def test_the_flow_page_link_is_configurable(monkeypatch):
    from web.organiser.meets import flow_url

    monkeypatch.delenv("BSM_OPS_FLOW_URL", raising=False)
    monkeypatch.setenv("BSM_OPS_PORT", "18004")
    assert flow_url() == "http://127.0.0.1:18004/flow"
    monkeypatch.setenv("BSM_OPS_FLOW_URL", "https://ops.bsm.example/flow")
    assert flow_url() == "https://ops.bsm.example/flow"


def test_publish_names_the_reviewed_draft_and_a_newer_draft_is_said_not_published(client, monkeypatch):
    sign_in(client)
    sent = []

    def publish(service, path, body=None, **kwargs):
        sent.append((path, body))
        raise ApiError(409, {"title": "Conflict", "detail": "Draft d1 is not the latest: draft d2 was built since."})

    monkeypatch.setattr(schedule, "post", publish)
    monkeypatch.setattr(schedule, "get", meet_page)
    answer = client.post("/organiser/meets/m1/schedule/publish", data={"csrf_token": "t", "draft_id": "d1"})
    assert sent == [("/v1/meets/m1/schedule/publish", {"draft_id": "d1"})]
    assert answer.status_code == 302
    monkeypatch.setattr(schedule, "published_meetings", lambda meet_id: [])
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "draft d2 was built since" in page


def test_the_draft_under_review_is_shown_without_building_another_and_publishes_by_its_id(client, monkeypatch):
    from web.organiser import people

    sign_in(client)
    built = {"draft_id": "d7", "stats": {"meetings": 1, "value": 1.0, "upper_bound": 1.0, "gap": 0.0}, "warnings": [],
             "meetings": [{"seller_id": "s1", "buyer_id": "b1", "slot_id": SLOTS[0]["id"], "slot_index": 0, "table": 1, "kind": "requested",
                           "seller_name": "Dar Crafts", "buyer_name": "Keller", "interpreter": None, "value": 1.0, "reasons": [], "published": False}],
             "left_out": [{"seller_id": "s2", "buyer_id": "b1", "kind": "recommended", "reason": "no_shared_language", "detail": "no interpreter", "value": 0.4}],
             "without_meetings": ["s2"], "per_person": {}, "required_missing": [], "registration_seen": {"complete": True}}
    asked = []

    def reads(service, path, **kwargs):
        asked.append((service, path))
        return built if path.endswith("/schedule/draft") else meet_page(service, path)

    monkeypatch.setattr(schedule, "get", reads)
    monkeypatch.setattr(schedule, "post", lambda *a, **k: pytest.fail("reading the draft must not build one"))
    monkeypatch.setattr(schedule, "pool_of", lambda meet_id: [])
    monkeypatch.setattr(people, "get", lambda *a, **k: {"items": [{"id": "s2", "name": "Wani Weaves"}]})
    page = client.get("/organiser/meets/m1/schedule/draft")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and ("matching", "/v1/meets/m1/schedule/draft") in asked
    assert '<input type="hidden" name="draft_id" value="d7">' in html and "Dar Crafts" in html and "no shared language" in html
    assert "Wani Weaves" in html

    def none_built(service, path, **kwargs):
        if path.endswith("/schedule/draft"):
            raise ApiError(404, {"title": "Not Found", "detail": "No draft has been built for meet m1."})
        return meet_page(service, path)

    monkeypatch.setattr(schedule, "get", none_built)
    answer = client.get("/organiser/meets/m1/schedule/draft")
    assert answer.status_code == 302 and answer.headers["Location"] == "/organiser/meets/m1/schedule"
