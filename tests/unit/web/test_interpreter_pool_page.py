"""The organiser's interpreter pool page: each interpreter can be removed, and matching's
refusal (a published meeting no one else can interpret) is shown on the page, not an error
page. Services are faked in process."""
from __future__ import annotations

import pytest

from web.app import create_app
from web.clients import ApiError
from web.organiser import interpreters, session as organiser_session
from tests.offline import NO_SERVICES

POOL = [{"interpreter_id": "rafiq-ahmad", "name": "Rafiq Ahmad", "languages": ["ks", "en"], "availability": ["s1"]}]
MEET = {"id": "m", "name": "Meet", "slots": [{"id": "s1", "day": "2030-07-30", "start": "10:00", "end": "10:20"}], "tables": 2}


@pytest.fixture
def organiser(monkeypatch):
    app = create_app(NO_SERVICES)
    app.config["TESTING"] = True
    client = app.test_client()
    with app.test_request_context():
        token = organiser_session.sealed("good-organiser-key")
    with client.session_transaction() as kept:
        kept[organiser_session.KEY] = token
        kept["csrf"] = "t"
    monkeypatch.setattr(interpreters, "get", lambda service, path, **kwargs: MEET)
    monkeypatch.setattr(interpreters, "pool_of", lambda meet_id: POOL)
    return client


def test_each_interpreter_has_a_remove_button_that_deletes_them_from_the_pool(organiser, monkeypatch):
    page = organiser.get("/organiser/meets/m/interpreters").get_data(as_text=True)
    assert 'action="/organiser/meets/m/interpreters/rafiq-ahmad/remove"' in page
    calls = []
    monkeypatch.setattr(interpreters, "call", lambda service, method, path, **kwargs: calls.append((service, method, path)))
    answer = organiser.post("/organiser/meets/m/interpreters/rafiq-ahmad/remove", data={"csrf_token": "t"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/organiser/meets/m/interpreters")
    assert calls == [("matching", "DELETE", "/v1/meets/m/interpreters/rafiq-ahmad")]


def test_a_refused_removal_is_shown_on_the_pool_page(organiser, monkeypatch):
    detail = "Interpreter rafiq-ahmad has published meetings they would no longer cover and no other interpreter of the pool is free to take: s1/b1 in slot s1."

    def refuse(service, method, path, **kwargs):
        raise ApiError(409, {"title": "Conflict", "status": 409, "detail": detail})

    monkeypatch.setattr(interpreters, "call", refuse)
    page = organiser.post("/organiser/meets/m/interpreters/rafiq-ahmad/remove", data={"csrf_token": "t"}, follow_redirects=True)
    assert page.status_code == 200 and "s1/b1 in slot s1" in page.get_data(as_text=True)
