"""A published meeting and its event name the interpreter, so messages can say who it is
(notifications never sees matching's pool), and the meeting says the interpreter's
languages, for participants' agendas (they never see the pool either); older events
without the name still read."""
from shared import contracts
from services.matching.actions.publishing import meeting_doc
from services.matching.messages import MEETING_SCHEDULED, meeting_event

MEET = {"_id": "m1", "timezone": "Asia/Kolkata", "slots": [{"id": "s-1", "day": "2030-07-30", "start": "10:00", "end": "10:20"}]}
DRAFTED = {"seller_id": "s1", "buyer_id": "b1", "slot_id": "s-1", "slot_index": 0, "table": 2, "kind": "recommended", "value": 1.0,
           "reasons": [], "interpreter": "int-1", "seller_name": "Dar Crafts", "seller_district": "Budgam", "buyer_name": "Keller", "buyer_country": "DE"}


def test_the_meeting_and_its_event_carry_the_interpreters_name():
    doc = meeting_doc(MEET, DRAFTED, {"s-1": MEET["slots"][0]}, {}, {"int-1": {"name": "Rafiq Ahmad", "languages": ["ks", "en"]}})
    assert (doc["interpreter"], doc["interpreter_name"], doc["interpreter_languages"]) == ("int-1", "Rafiq Ahmad", ["ks", "en"])
    data = contracts.read_data(meeting_event(MEETING_SCHEDULED, doc))
    assert (data["interpreter"], data["interpreter_name"]) == ("int-1", "Rafiq Ahmad")


def test_a_meeting_without_an_interpreter_names_none_and_an_older_event_still_reads():
    doc = meeting_doc(MEET, {**DRAFTED, "interpreter": None}, {"s-1": MEET["slots"][0]}, {}, {"int-1": {"name": "Rafiq Ahmad", "languages": ["ks", "en"]}})
    assert doc["interpreter_name"] is None and doc["interpreter_languages"] == []
    event = meeting_event(MEETING_SCHEDULED, {**doc, "interpreter": "int-1"})
    del event.data["interpreter_name"]
    assert contracts.read_data(event)["interpreter_name"] is None
