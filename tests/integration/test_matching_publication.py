"""Publishing a schedule that stops part-way, then again: every meeting once, every event once."""
import pytest

from shared.contracts import matching as catalogue
from services.matching.domain import publication
from services.matching.meetings_store import MeetingStore
from tests.api.conftest import OPERATOR, ORGANISER
from tests.api.test_matching_api import matching, meet_with_people  # noqa: F401 (fixtures)
from tests.helpers import outbox_event_dicts

pytestmark = pytest.mark.stack


def written_events(db) -> list[dict]:
    """Every event the matching outbox holds (nothing is relayed in these tests)."""
    return [e for name in ("publications", "schedules", "meetings") for doc in db[name].find({}) for e in outbox_event_dicts(doc)]


def test_a_publication_interrupted_after_some_chunks_is_completed_by_publishing_again(meet_with_people, monkeypatch):
    client, _, meet = meet_with_people
    db = client.application.extensions["matching"].meetings.db
    monkeypatch.setattr(publication, "CHUNK_SIZE", 2)
    draft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER).get_json()
    planned = {f"{meet.id}:{m['seller_id']}:{m['buyer_id']}" for m in draft["meetings"]}
    assert len(planned) >= 5

    listed = MeetingStore._list_chunk
    calls = []

    def crash_on_second_chunk(self, meet_id, chunk_id, placements, entries):
        calls.append(chunk_id)
        if len(calls) == 2:
            raise RuntimeError("worker killed after inserting the chunk's meetings")
        return listed(self, meet_id, chunk_id, placements, entries)

    monkeypatch.setattr(MeetingStore, "_list_chunk", crash_on_second_chunk)
    failed = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert failed.status_code == 500 and failed.mimetype == "application/problem+json"
    assert db["meetings"].count_documents({"meet_id": meet.id}) == 4
    assert [e["type"] for e in written_events(db)] == [catalogue.MEETING_SCHEDULED] * 2
    redraft = client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER)
    assert redraft.status_code == 409 and redraft.mimetype == "application/problem+json"

    retried = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert retried.status_code == 200, retried.get_json()
    again = client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    assert again.get_json()["newly_published"] == 0

    assert {d["_id"] for d in db["meetings"].find({"meet_id": meet.id})} == planned
    events = written_events(db)
    scheduled = sorted(e["subject"] for e in events if e["type"] == catalogue.MEETING_SCHEDULED)
    assert scheduled == sorted(planned)
    assert [e["subject"] for e in events if e["type"] == catalogue.SCHEDULE_PUBLISHED] == [meet.id]
    listed_meetings = client.get(f"/v1/meets/{meet.id}/meetings?limit=3", headers=OPERATOR).get_json()
    assert len(listed_meetings["items"]) == 3 and listed_meetings["next_cursor"]
    rest = client.get(f"/v1/meets/{meet.id}/meetings?limit=100&cursor={listed_meetings['next_cursor']}", headers=OPERATOR).get_json()["items"]
    assert {m["id"] for m in listed_meetings["items"] + rest} == planned
