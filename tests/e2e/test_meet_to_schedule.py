"""An organiser runs a meet end to end across the services, over real HTTP and Kafka:
registration (meet, participants, approvals) -> matching (read model, schedule, LoI, report).
The meet is entered after it happened (``historical``, a week ago): LoIs are only taken for
meetings that have begun."""
from datetime import date, timedelta

import pytest

from tests.helpers import wait_until

pytestmark = pytest.mark.stack

ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
MEET = {
    "name": "ODOP Buyer-Seller Meet", "venue": "SKICC", "city": "Srinagar", "days": ["2027-07-30"],
    "session_start": "10:00", "session_end": "12:00", "meeting_minutes": 20, "tables": 3,
    "capacity_sellers": 10, "capacity_buyers": 3,
}


def seller(n):
    return {
        "name": f"Weaver {n}", "district": ["Srinagar", "Budgam", "Pulwama"][n % 3], "phone": f"98200000{n:02d}",
        "products": [{"name": "Pashmina shawl", "category": "handloom", "gi_tag": "Kashmir Pashmina", "export_ready": True}],
    }


def buyer(n):
    return {
        "name": f"Buyer {n}", "organisation": f"Brand {n}", "buyer_kind": "retail_brand", "email": f"buyer{n}@brand.example",
        "sourcing": {"categories": ["handloom"], "gi_tags": ["Kashmir Pashmina"]},
    }


def test_from_registration_to_a_published_schedule_and_a_report(registration, matching):
    held_on = (date.today() - timedelta(days=7)).isoformat()
    meet = registration.post("/v1/meets", json={**MEET, "days": [held_on], "historical": True}, headers=ORGANISER).json()
    registration.post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_open"}, headers=ORGANISER)
    slots = [s["id"] for s in meet["slots"]]
    people = [registration.post("/v1/sellers", json=seller(n)).json() for n in range(5)]
    people += [registration.post("/v1/buyers", json=buyer(n)).json() for n in range(2)]
    for person in people:
        applied = registration.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": person["id"], "availability": slots}, headers=ORGANISER)
        assert applied.status_code == 201, applied.text
        decided = registration.post(f"/v1/meets/{meet['id']}/applications/{person['id']}/decision", json={"decision": "approve"}, headers=ORGANISER)
        assert decided.json()["status"] == "approved"

    def drafted():
        response = matching.post(f"/v1/meets/{meet['id']}/schedule/draft", json={"max_meetings": 6}, headers=ORGANISER)
        return response.json() if response.status_code == 200 and response.json()["stats"]["meetings"] == 10 else None

    draft = wait_until(drafted, timeout=30, interval=0.5, what="matching to know the meet and everyone approved")
    assert draft["stats"]["value"] <= draft["stats"]["upper_bound"]
    assert matching.post(f"/v1/meets/{meet['id']}/schedule/publish", headers=ORGANISER).json()["newly_published"] == 10
    meetings = matching.get(f"/v1/meets/{meet['id']}/meetings", headers=ORGANISER).json()["items"]
    loi = {"product": "Pashmina shawl", "quantity": {"value": "200", "unit": "piece"}, "value": {"amount": "35000000"}, "signed_on": held_on}
    for m in meetings[:3]:
        assert matching.post(f"/v1/meetings/{m['id']}/loi", json=loi, headers=ORGANISER).status_code == 201
    report = matching.get(f"/v1/meets/{meet['id']}/report", headers=ORGANISER).json()
    after = matching.get(f"/v1/meets/{meet['id']}/meetings", headers=ORGANISER).json()["items"]
    assert report["summary"] == "3 LoIs worth Rs 10.50 crore", (meetings[:3], after)
