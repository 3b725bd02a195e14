"""Organiser pages the real platform shows only at moments a test cannot choose (a draft
refused while matching still catches up with registration), rendered by the real web app
with the services' answers stubbed, in headless Chromium: axe-core finds no serious or
critical violation, and the "draft anyway" button drafts with ``force``. The app listens on
a port the system picks (no fixed port)."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser import Browser
from tests.e2e.test_web_organiser import KEY, checked
from web.app import create_app
from web.clients import ApiError
from web.organiser import schedule, session as organiser_session
from tests.offline import NO_SERVICES

SLOTS = [{"id": "2027-07-30T1000", "day": "2027-07-30", "start": "10:00", "end": "10:20"}]
MEET = {"id": "m1", "name": "Srinagar Craft Meet", "slots": SLOTS, "tables": 2, "status": "registration_closed"}
SEEN = {"approved_known": {"seller": 3, "buyer": 1}, "approved_in_registration": {"seller": 4, "buyer": 2}, "behind": 5,
        "approved_missing": {"seller": 1, "buyer": 1}}


@pytest.fixture
def stubbed_app(monkeypatch):
    drafts = []

    def draft(service, path, body=None, **kwargs):
        drafts.append(body)
        if not body.get("force"):
            raise ApiError(409, {"title": "Conflict", "registration_seen": SEEN,
                                 "detail": "Matching knows 3 approved sellers and 1 approved buyers; registration has approved 1 more "
                                           "sellers and 1 more buyers; it has 5 registration events still to handle. Retry shortly, or draft with force."})
        return {"stats": {"meetings": 0, "value": 0.0, "upper_bound": 0.0, "requested_pairs": 0, "requested_scheduled": 0, "mean_idle_slots": 0},
                "meetings": [], "left_out": [], "without_meetings": [], "per_person": {}, "registration_seen": SEEN,
                "warnings": ["Matching knows 3 approved sellers and 1 approved buyers; it has 5 registration events still to handle."]}

    monkeypatch.setattr(organiser_session.clients, "get_json", lambda *a, **k: {"items": []})
    monkeypatch.setattr(schedule, "get", lambda service, path, **kw: MEET)
    monkeypatch.setattr(schedule, "every", lambda *a, **k: [])
    monkeypatch.setattr(schedule, "names", lambda ids: {})
    monkeypatch.setattr(schedule, "pool_of", lambda meet_id: [])
    monkeypatch.setattr(schedule, "post", draft)
    server = make_server("127.0.0.1", 0, create_app(NO_SERVICES), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", drafts
    finally:
        server.shutdown()


def test_a_draft_refused_while_matching_catches_up_shows_the_counts_and_drafts_anyway(stubbed_app):
    base, drafts = stubbed_app
    with Browser(width=1280, height=800, mobile=False) as browser:
        browser.open(base + "/organiser/sign-in")
        browser.fill({"#f-key": KEY})
        browser.click("form button[type=submit]")
        browser.open(base + "/organiser/meets/m1/schedule")
        browser.click("#draft")
        assert "5 registration events still to handle" in browser.text(), browser.text()
        checked(browser, "draft-behind")
        browser.click("#draft-anyway")
        assert "Draft schedule" in browser.text() and "5 registration events" in browser.text(), browser.text()
        assert browser.axe_violations() == []
    assert [d["force"] for d in drafts] == [False, True]
    assert drafts[1]["max_meetings"] == 12
