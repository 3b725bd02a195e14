"""The printable agenda names each meeting's interpreter with their languages where one is
assigned: the participant's agenda (a print-only table with an Interpreter column, and the
cards on screen) and the organiser's schedule grid. Services are faked in process."""
from __future__ import annotations

import re

import pytest

from web.app import create_app
from web.organiser import schedule, session as organiser_session
from web.participant import agenda
from tests.offline import NO_SERVICES

MEETINGS = [
    {"id": "m:s1:b1", "meet_id": "m", "seller_id": "s1", "buyer_id": "b1", "seller_name": "Ghulam Nabi Dar", "buyer_name": "Keller Living",
     "slot_id": "2030-07-30T1000", "slot_index": 0, "day": "2030-07-30", "start": "10:00", "end": "10:20", "table": 1, "status": "scheduled",
     "timezone": "Asia/Kolkata", "interpreter": "rafiq-ahmad", "interpreter_name": "Rafiq Ahmad", "interpreter_languages": ["ks", "de"]},
    {"id": "m:s1:b2", "meet_id": "m", "seller_id": "s1", "buyer_id": "b2", "seller_name": "Ghulam Nabi Dar", "buyer_name": "FabIndia",
     "slot_id": "2030-07-30T1020", "slot_index": 1, "day": "2030-07-30", "start": "10:20", "end": "10:40", "table": 2, "status": "scheduled",
     "timezone": "Asia/Kolkata", "interpreter": None, "interpreter_name": None},
]
POOL = [{"interpreter_id": "rafiq-ahmad", "name": "Rafiq Ahmad", "languages": ["ks", "en"], "availability": []}]
SLOTS = [{"id": "2030-07-30T1000", "day": "2030-07-30", "start": "10:00", "end": "10:20"},
         {"id": "2030-07-30T1020", "day": "2030-07-30", "start": "10:20", "end": "10:40"}]


@pytest.fixture
def client():
    app = create_app(NO_SERVICES)
    app.config["TESTING"] = True
    return app.test_client()


def printed_rows(page: str) -> list[list[str]]:
    """The printable table's rows, each a list of its cells' text."""
    table = re.search(r'<table class="printed-agenda">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def signed_in_participant(client, monkeypatch, meetings: list[dict]) -> None:
    monkeypatch.setattr(agenda, "get_json", lambda service, path, **kwargs: {"items": [dict(m) for m in meetings], "next_cursor": None})
    with client.session_transaction() as kept:
        kept.update(participant_id="s1", token="t", side="seller")


def test_the_printable_agenda_has_an_interpreter_column_with_name_and_languages(client, monkeypatch):
    signed_in_participant(client, monkeypatch, MEETINGS)
    page = client.get("/meets/m/agenda").get_data(as_text=True)
    header, with_one, without = printed_rows(page)
    assert header == ["Day", "Time", "Table", "With", "Interpreter"]
    assert with_one[3].startswith("Keller Living") and with_one[4] == "Rafiq Ahmad (Kashmiri, German)"
    assert without[3].startswith("FabIndia") and without[4] == ""
    assert "Interpreter: Rafiq Ahmad (Kashmiri, German)" in page


def test_the_printable_agenda_is_in_the_pages_language(client, monkeypatch):
    signed_in_participant(client, monkeypatch, MEETINGS)
    client.set_cookie("lang", "hi")
    header, with_one, _ = printed_rows(client.get("/meets/m/agenda").get_data(as_text=True))
    assert "Interpreter" not in header and with_one[4].startswith("Rafiq Ahmad (कश्मीरी")


def test_a_meeting_from_before_interpreter_languages_shows_the_name_alone(client, monkeypatch):
    older = [{k: v for k, v in MEETINGS[0].items() if k != "interpreter_languages"}]
    signed_in_participant(client, monkeypatch, older)
    [_, row] = printed_rows(client.get("/meets/m/agenda").get_data(as_text=True))
    assert row[4] == "Rafiq Ahmad"


def test_a_pool_fills_in_the_languages_and_the_meetings_own_win():
    meetings = agenda.with_interpreter_languages([dict(m) for m in MEETINGS], {"rafiq-ahmad": ["ks", "en"]})
    assert [m["interpreter_languages"] for m in meetings] == [["ks", "de"], []]
    bare = [{k: v for k, v in MEETINGS[0].items() if k != "interpreter_languages"}]
    assert agenda.with_interpreter_languages(bare, {"rafiq-ahmad": ["ks", "en"]})[0]["interpreter_languages"] == ["ks", "en"]


def test_the_organisers_schedule_names_the_interpreter_and_their_languages_from_the_pool(client, monkeypatch):
    with client.application.test_request_context():
        token = organiser_session.sealed("good-organiser-key")
    with client.session_transaction() as kept:
        kept[organiser_session.KEY] = token
        kept["csrf"] = "t"
    published = [{k: v for k, v in m.items() if k != "interpreter_languages"} for m in MEETINGS]
    monkeypatch.setattr(schedule, "get", lambda service, path, **kwargs: {"id": "m", "name": "Meet", "slots": SLOTS, "tables": 2})
    monkeypatch.setattr(schedule, "published_meetings", lambda meet_id: [dict(m) for m in published])
    monkeypatch.setattr(schedule, "pool_of", lambda meet_id: POOL)
    page = client.get("/organiser/meets/m/schedule").get_data(as_text=True)
    assert re.findall(r'<small class="interpreter">(.*?)</small>', page) == ["interpreter: Rafiq Ahmad (Kashmiri, English)"]
