"""Completing a meet sends its organisers the results by email, with the platform
configured as ``make run`` configures it (``BSM_ORGANISER_EMAILS``, the digests worker):
the email is looked for in the SMTP sink the dispatcher delivers to. The meet's one slot
begins a minute or two after the test starts: drafted and published before it begins (a
draft places meetings in slots still to come only), its LoI recorded once it has begun;
being a meet ahead when created (not historical), its organisers hear of it."""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import ORGANISER_EMAIL
from tests.e2e.test_meet_to_schedule import MEET, ORGANISER, buyer, seller
from tests.helpers import wait_until

pytestmark = pytest.mark.stack
VENUE = ZoneInfo("Asia/Kolkata")


def _a_slot_soon() -> datetime:
    """The start, at the venue, of a slot far enough ahead for the meet to be set up and
    drafted before it begins (90 to 150 s from now, on a whole minute), and a slot that ends
    on its own day."""
    start = (datetime.now(VENUE) + timedelta(seconds=150)).replace(second=0, microsecond=0)
    if start.hour == 23 and start.minute > 54:
        start = (start + timedelta(days=1)).replace(hour=0, minute=0)
    return start


def test_completing_a_meet_emails_the_organiser_its_results(registration, matching, mail):
    name = f"Results BSM {uuid.uuid4().hex[:6]}"
    start = _a_slot_soon()
    one_slot_soon = {"days": [start.date().isoformat()], "session_start": f"{start:%H:%M}", "session_end": f"{start + timedelta(minutes=5):%H:%M}",
                     "meeting_minutes": 5, "timezone": "Asia/Kolkata"}
    meet = registration.post("/v1/meets", json={**MEET, **one_slot_soon, "name": name}, headers=ORGANISER).json()
    registration.post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_open"}, headers=ORGANISER)
    people = [registration.post("/v1/sellers", json={**seller(70), "phone": "9820000770"}).json(),
              registration.post("/v1/buyers", json={**buyer(70), "email": f"{meet['id']}@brand.example"}).json()]
    for person in people:
        registration.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": person["id"], "availability": "all"}, headers=ORGANISER)
        decided = registration.post(f"/v1/meets/{meet['id']}/applications/{person['id']}/decision", json={"decision": "approve"}, headers=ORGANISER)
        assert decided.json()["status"] == "approved", decided.text

    def drafted():
        response = matching.post(f"/v1/meets/{meet['id']}/schedule/draft", json={"max_meetings": 1}, headers=ORGANISER)
        return response.status_code == 200 and response.json()["stats"]["meetings"] == 1

    wait_until(drafted, timeout=30, interval=0.5, what="matching to know the meet and both participants")
    assert matching.post(f"/v1/meets/{meet['id']}/schedule/publish", headers=ORGANISER).json()["newly_published"] == 1
    [meeting] = matching.get(f"/v1/meets/{meet['id']}/meetings", headers=ORGANISER).json()["items"]
    loi = {"product": "Pashmina shawl", "quantity": {"value": "200", "unit": "piece"}, "value": {"amount": "35000000"}, "signed_on": start.date().isoformat()}

    def loi_recorded():
        response = matching.post(f"/v1/meetings/{meeting['id']}/loi", json=loi, headers=ORGANISER)
        assert response.status_code in (201, 409), response.text
        return response.status_code == 201

    wait_until(loi_recorded, timeout=(start - datetime.now(VENUE)).total_seconds() + 60, interval=1, what="the meeting to begin and its LoI")
    for status in ("registration_closed", "scheduled", "live", "completed"):
        moved = registration.post(f"/v1/meets/{meet['id']}/status", json={"status": status}, headers=ORGANISER)
        assert moved.status_code == 200, moved.text

    def results_email():
        return [m for m in mail.messages if m["To"] == ORGANISER_EMAIL and m["Subject"] == f"Results of {name}"]

    [email] = wait_until(results_email, timeout=60, interval=0.5, what="the organiser's results email in the SMTP sink")
    text = email.get_body(("plain",)).get_content()
    assert f"Results of {name}: 1 Letters of Intent worth Rs 3.50 crore" in text, text
    assert "- sellers approved: 1" in text and "- buyers approved: 1" in text, text
