"""Completing a meet sends its organisers the results by email, with the platform
configured as ``make run`` configures it (``BSM_ORGANISER_EMAILS``, the digests worker):
the email is looked for in the SMTP sink the dispatcher delivers to. The meet is today at the
venue, its one slot from midnight, so its meeting has begun and its LoI can be recorded;
being a meet ahead when created (not historical), its organisers hear of it."""
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import ORGANISER_EMAIL
from tests.e2e.test_meet_to_schedule import MEET, ORGANISER, buyer, seller
from tests.helpers import wait_until

pytestmark = pytest.mark.stack


def test_completing_a_meet_emails_the_organiser_its_results(registration, matching, mail):
    name = f"Results BSM {uuid.uuid4().hex[:6]}"
    today = datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()
    one_slot_from_midnight = {"days": [today], "session_start": "00:00", "session_end": "00:20", "meeting_minutes": 20, "timezone": "Asia/Kolkata"}
    meet = registration.post("/v1/meets", json={**MEET, **one_slot_from_midnight, "name": name}, headers=ORGANISER).json()
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
    loi = {"product": "Pashmina shawl", "quantity": {"value": "200", "unit": "piece"}, "value": {"amount": "35000000"}, "signed_on": today}
    assert matching.post(f"/v1/meetings/{meeting['id']}/loi", json=loi, headers=ORGANISER).status_code == 201
    for status in ("registration_closed", "scheduled", "live", "completed"):
        moved = registration.post(f"/v1/meets/{meet['id']}/status", json={"status": status}, headers=ORGANISER)
        assert moved.status_code == 200, moved.text

    def results_email():
        return [m for m in mail.messages if m["To"] == ORGANISER_EMAIL and m["Subject"] == f"Results of {name}"]

    [email] = wait_until(results_email, timeout=60, interval=0.5, what="the organiser's results email in the SMTP sink")
    text = email.get_body(("plain",)).get_content()
    assert f"Results of {name}: 1 Letters of Intent worth Rs 3.50 crore" in text, text
    assert "- sellers approved: 1" in text and "- buyers approved: 1" in text, text
