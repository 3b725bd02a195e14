"""The web app's own logic, in process (no service is called): settings, the language
and its direction, the CSRF check, redirects, form bodies and where to go next."""
from __future__ import annotations

import re
import sys
import types
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Blueprint
from werkzeug.datastructures import MultiDict

from shared.config import ConfigError
from web import app as web_app
from web.config import load_web_settings
from web.pages import safe_next
from web.participant.agenda import next_meeting
from web.participant.inbox import preferences_body
from web.participant.meets import availability_of
from web.participant.register import buyer_body, seller_body
from tests.offline import NO_SERVICES


@pytest.fixture
def client():
    return web_app.create_app(NO_SERVICES).test_client()


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_service_urls_come_from_the_variables_or_the_local_ports_and_production_needs_a_secret():
    settings = load_web_settings({"MATCHING_PORT": "18002", "BSM_NOTIFICATIONS_URL": "http://notifications.internal/"})
    assert settings.url("registration", "/v1/meets") == "http://127.0.0.1:8001/v1/meets"
    assert settings.url("matching", "/v1/x") == "http://127.0.0.1:18002/v1/x"
    assert settings.url("notifications", "/v1/x") == "http://notifications.internal/v1/x"
    with pytest.raises(ConfigError):
        load_web_settings({"BSM_ENV": "production"})
    assert load_web_settings({"BSM_ENV": "production", "BSM_WEB_SECRET": "s3cret"}).secret == "s3cret"


def test_the_browser_language_decides_until_one_is_chosen_then_the_cookie_does(client):
    page = client.get("/", headers={"Accept-Language": "hi-IN,hi;q=0.9"}).get_data(as_text=True)
    assert '<html lang="hi" dir="ltr">' in page and "क्रेता-विक्रेता सम्मेलन" in page
    page = client.get("/language").get_data(as_text=True)
    chosen = client.post("/language", data={"csrf_token": csrf(page), "language": "ks", "next": "/register/seller"})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/register/seller"
    assert "lang=ks" in chosen.headers["Set-Cookie"] and "Max-Age=31536000" in chosen.headers["Set-Cookie"]
    page = client.get("/", headers={"Accept-Language": "hi"}).get_data(as_text=True)
    assert '<html lang="ks" dir="rtl">' in page


def test_a_post_without_the_session_form_token_is_refused(client):
    assert client.post("/language", data={"language": "ur"}).status_code == 400
    page = client.get("/language").get_data(as_text=True)
    assert client.post("/language", data={"csrf_token": "forged", "language": "ur"}).status_code == 400
    assert client.post("/language", data={"csrf_token": csrf(page), "language": "xx"}).status_code == 400


def test_refusals_and_unknown_addresses_get_the_sites_own_page_in_the_readers_language(client):
    client.set_cookie("lang", "ur")
    stale = client.post("/language", data={"csrf_token": "from-an-old-tab", "language": "hi"})
    assert stale.status_code == 400 and 'dir="rtl"' in stale.get_data(as_text=True) and "Werkzeug" not in stale.get_data(as_text=True)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and 'lang="ur"' in missing.get_data(as_text=True)
    assert client.get("/readyz").status_code == 200


def test_pages_for_participants_send_strangers_to_the_start(client):
    for path in ("/me", "/inbox", "/settings", "/profile", "/meets/m1/agenda", "/verify"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["Location"]) == (302, "/"), path


def test_redirects_stay_on_the_site():
    assert safe_next("/meets/1/agenda?x=1", "/") == "/meets/1/agenda?x=1"
    for hostile in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "evil", None, ""):
        assert safe_next(hostile, "/") == "/"


def test_every_page_sends_a_strict_content_security_policy(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


def test_registration_bodies_take_the_page_language_as_preferred_and_the_ticked_ones_as_spoken():
    app = web_app.create_app(NO_SERVICES)
    form = MultiDict([("name", " Ghulam "), ("phone", "98765 43210"), ("district", "Budgam"), ("product", "Shawl"),
                      ("category", "handloom"), ("languages", "ur"), ("languages", "hi"), ("languages", "xx")])
    with app.test_request_context("/", headers={"Cookie": "lang=ur"}):
        body = seller_body(form)
    assert body == {"name": "Ghulam", "phone": "98765 43210", "district": "Budgam", "enterprise_kind": "artisan",
                    "preferred_language": "ur", "languages": ["ur", "hi"], "products": [{"name": "Shawl", "category": "handloom"}]}
    with app.test_request_context("/", headers={"Cookie": "lang=doi"}):
        body = buyer_body(MultiDict([("name", "Asha"), ("organisation", "Brand"), ("categories", "handloom"), ("products", "shawl, , stole")]))
    assert body["languages"] == ["doi"] and body["phone"] is None and "email" not in body
    assert body["sourcing"] == {"categories": ["handloom"], "products": ["shawl", "stole"]}


def test_settings_keep_known_channels_and_fall_back_to_the_inbox():
    assert preferences_body(MultiDict([("channels", "sms"), ("channels", "webhook"), ("quiet_start", "21:00")])) == {
        "channels": ["sms"], "opted_out": False, "quiet_start": "21:00", "quiet_end": None}
    assert preferences_body(MultiDict([("opted_out", "1")]))["channels"] == ["inbox"]


def meeting(day: str, start: str, end: str, status: str = "scheduled", slot: int = 0) -> dict:
    return {"day": day, "start": start, "end": end, "status": status, "slot_index": slot, "timezone": "Asia/Kolkata"}


def test_where_to_go_next_is_the_first_scheduled_meeting_not_yet_over_in_the_meets_time_zone():
    meetings = [meeting("2027-07-30", "10:00", "10:20", slot=0), meeting("2027-07-30", "10:25", "10:45", "cancelled", 1),
                meeting("2027-07-30", "11:00", "11:20", slot=2), meeting("2027-07-31", "10:00", "10:20", slot=3)]
    at = datetime(2027, 7, 30, 10, 21, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert next_meeting(meetings, at)["start"] == "11:00"
    assert next_meeting(meetings, datetime(2027, 7, 30, 4, 51, tzinfo=ZoneInfo("UTC")))["start"] == "11:00"
    assert next_meeting(meetings, datetime(2027, 7, 31, 10, 20, tzinfo=ZoneInfo("Asia/Kolkata"))) is None
    assert next_meeting([], at) is None


def test_an_organiser_package_is_registered_when_it_exists(monkeypatch):
    package = types.ModuleType("tests_fake_organiser")
    package.blueprint = Blueprint("organiser", __name__, url_prefix="/organiser")
    package.blueprint.add_url_rule("/", "home", lambda: "organiser pages")
    monkeypatch.setitem(sys.modules, "tests_fake_organiser", package)
    monkeypatch.setattr(web_app, "OPTIONAL_BLUEPRINTS", ("tests_fake_organiser", "web.no_such_package"))
    monkeypatch.setattr(web_app.importlib.util, "find_spec", lambda name: package if name == "tests_fake_organiser" else None)
    assert web_app.create_app(NO_SERVICES).test_client().get("/organiser/").get_data(as_text=True) == "organiser pages"


def test_dates_are_written_the_way_the_pages_language_writes_them():
    from web.i18n import day

    app = web_app.create_app(NO_SERVICES)
    with app.test_request_context("/", headers={"Cookie": "lang=ur"}):
        assert "جولائی" in day("2027-07-30") and "2027" in day("2027-07-30")
        assert day("not a date") == "not a date"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert day("2027-07-30") == "30 Jul 2027"


def test_times_ticked_win_over_any_time_which_is_the_default():
    assert availability_of(MultiDict([("all", "1")])) == "all"
    assert availability_of(MultiDict([("all", "1"), ("slots", "2027-07-30T1000"), ("slots", "2027-07-30T1025")])) == ["2027-07-30T1000", "2027-07-30T1025"]
    assert availability_of(MultiDict()) == []


def test_a_services_nested_field_errors_read_as_one_line_per_field():
    from web.clients import ApiError
    refused = ApiError(422, {"errors": {"products": {"0": {"name": ["Length must be between 2 and 200."]}},
                                        "quantity": {"value": ["Not valid."], "unit": ["Missing data."]}, "name": ["Too short."]}})
    assert refused.field_messages == {"products": "Length must be between 2 and 200.", "quantity": "Not valid. Missing data.", "name": "Too short."}


@pytest.mark.parametrize("status, problem, retry_after, expected", [
    (429, {"title": "Too Many Requests"}, "861", "Too many tries. Please wait 15 minutes, then try again."),
    (422, {"errors": {"code": ["Too many wrong codes: ask for a new one."]}, "reason": "too_many_wrong_codes"}, None,
     "Too many wrong codes for this one. Ask for a new code below."),
    (422, {"errors": {"code": ["Too many wrong codes: ask for a new one."]}, "reason": "wrong_code"}, None,
     "That code is not right or has expired. Try again or ask for a new one."),
    (422, {"errors": {"code": ["That code is not right."]}, "reason": "wrong_code"}, None, "That code is not right or has expired. Try again or ask for a new one."),
])
def test_a_refused_code_says_whether_to_wait_ask_again_or_retype(client, status, problem, retry_after, expected):
    from web.clients import ApiError
    from web.participant.register import _code_problem
    with client.application.test_request_context("/verify"):
        assert _code_problem(ApiError(status, problem, retry_after)) == expected
