"""The three services in one process, driven through a small meet by their own code.

HTTP through each app's Flask test client; events carried from each service's outbox
(its relay's ``relay_once``) to the other services' consumer handlers; the dispatcher and
the follow-ups and suggestions workers run until idle. Used to record which database
commands the hot paths send (``test_data_shape``).
"""
from __future__ import annotations

import importlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.mongo import connect
from shared.outbox import OutboxRelay
from tests.helpers import roster_settled

SERVICES = ("registration", "matching", "notifications")
ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
SMTP_PORT = 17025
MEET = {
    "name": "Shape Meet", "venue": "SKICC", "city": "Srinagar", "days": ["2027-07-30"],
    "session_start": "10:00", "session_end": "12:00", "meeting_minutes": 20, "tables": 3,
    "capacity_sellers": 20, "capacity_buyers": 10,
}


def _module(service: str, name: str):
    return importlib.import_module(f"services.{service}.{name}")


class Platform:
    def __init__(self, settings_for):
        self.settings = {s: settings_for(s, SMTP_PORT=str(SMTP_PORT)) for s in SERVICES}
        self.apps = {s: _module(s, "app").create_app(self.settings[s]) for s in SERVICES}
        self.clients = {s: app.test_client() for s, app in self.apps.items()}
        self.databases = {s: connect(self.settings[s]) for s in SERVICES}
        self.handlers = {s: _module(s, "handlers").build_handlers(self.databases[s], self.settings[s]) for s in ("matching", "notifications")}
        self.delivered: list = []

    def bounded_collections(self) -> dict[str, set[str]]:
        return {s: set(getattr(_module(s, "store"), "BOUNDED_COLLECTIONS", ())) for s in SERVICES}

    def pump(self) -> int:
        """Carry events until every outbox is empty; return how many were delivered."""
        delivered = 0
        while True:
            events = []
            for service in SERVICES:
                collections = _module(service, "store").OUTBOX_COLLECTIONS
                OutboxRelay(self.databases[service], collections, lambda topic, event: events.append(event)).relay_once()
            if not events:
                return delivered
            self.delivered.extend(events)
            for event in events:
                for handlers in self.handlers.values():
                    if event.type in handlers:
                        handlers[event.type](event)
                        delivered += 1

    def dispatch_all(self) -> None:
        from services.notifications.__main__ import build_dispatcher

        dispatcher = build_dispatcher(self.settings["notifications"])
        for _ in range(10_000):
            if not dispatcher.dispatch_once():
                return

    def context(self):
        from shared.contracts import matching as catalogue
        from services.matching.actions import Matching

        return Matching.on(self.databases["matching"], self.settings["matching"].topic(catalogue.TOPIC))

    def follow_ups(self, today: date) -> None:
        from services.matching.actions import announce_follow_ups_due

        announce_follow_ups_due(self.context(), today)

    def suggestions(self) -> None:
        from services.matching.actions import suggest_due

        suggest_due(self.context(), now=roster_settled())

    def run_meet(self, tag: int, sellers: int, buyers: int, signed_on: str = "2027-07-30", follow_ups_on: date | None = None,
                 recorded_on: date | None = None) -> None:
        """Drive one meet from creation to a published schedule and one LoI signed on
        ``signed_on``, recorded on ``recorded_on`` (matching's clock at 18:00 at the venue
        that day; the meet's day by default, once its meetings are over), its follow-ups
        worked on ``follow_ups_on`` (31 days after the meet by default), every message sent."""
        registration, matching = self.clients["registration"], self.clients["matching"]
        meet = registration.post("/v1/meets", json=MEET, headers=ORGANISER).get_json()
        assert registration.post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_open"}, headers=ORGANISER).status_code == 200
        slots = [s["id"] for s in meet["slots"]]
        people = []
        for n in range(sellers):
            body = {"name": f"Weaver {tag}-{n}", "district": "Budgam", "phone": f"98{tag}{n:07d}", "email": f"w{tag}{n}@example.in",
                    "products": [{"name": "Pashmina shawl", "category": "handloom", "gi_tag": "Kashmir Pashmina"}]}
            response = registration.post("/v1/sellers", json=body)
            assert response.status_code == 201, response.get_json()
            people.append(response.get_json())
        for n in range(buyers):
            body = {"name": f"Buyer {tag}-{n}", "organisation": f"Brand {tag}-{n}", "buyer_kind": "retail_brand", "email": f"b{tag}{n}@brand.example",
                    "sourcing": {"categories": ["handloom"], "gi_tags": ["Kashmir Pashmina"]}}
            response = registration.post("/v1/buyers", json=body)
            assert response.status_code == 201, response.get_json()
            people.append(response.get_json())
        first = people[0]["id"]
        assert registration.post(f"/v1/participants/{first}/verification-code", json={}).status_code == 202
        assert registration.post(f"/v1/participants/{first}/verify", json={"code": "000000"}).status_code == 422
        for person in people:
            assert registration.get(f"/v1/{person['role']}s/{person['id']}", headers=ORGANISER).status_code == 200
            applied = registration.post(f"/v1/meets/{meet['id']}/applications", json={"participant_id": person["id"], "availability": slots}, headers=ORGANISER)
            assert applied.status_code == 201, applied.get_json()
            decided = registration.post(f"/v1/meets/{meet['id']}/applications/{person['id']}/decision", json={"decision": "approve"}, headers=ORGANISER)
            assert decided.status_code == 200, decided.get_json()
        from deploy.local.mailsink import MailSink

        mail = MailSink(port=SMTP_PORT).start()
        try:
            self.pump()
            self.suggestions()
            self.pump()
            draft = matching.post(f"/v1/meets/{meet['id']}/schedule/draft", json={"max_meetings": 4}, headers=ORGANISER)
            assert draft.status_code == 200, draft.get_json()
            published = matching.post(f"/v1/meets/{meet['id']}/schedule/publish", headers=ORGANISER)
            assert published.status_code in (200, 202), published.get_json()
            self.pump()
            scheduled = [e.subject for e in self.delivered if e.type.endswith(".meeting.scheduled.v1") and e.data.get("meet_id") == meet["id"]]
            assert scheduled, "no meeting was scheduled"
            recorded_at = datetime.combine(recorded_on or date.fromisoformat(MEET["days"][0]), time(18), ZoneInfo("Asia/Kolkata"))
            context = self.apps["matching"].extensions["matching"]
            clock, context.clock = context.clock, lambda: recorded_at
            loi = {"product": "Pashmina shawl", "quantity": {"value": "200", "unit": "piece"}, "value": {"amount": "3500000"}, "signed_on": signed_on}
            try:
                recorded = matching.post(f"/v1/meetings/{scheduled[0]}/loi", json=loi, headers=ORGANISER)
            finally:
                context.clock = clock  # the next meet of the run, on the same day, is drafted before it begins
            assert recorded.status_code == 201, recorded.get_json()
            self.pump()
            self.follow_ups(follow_ups_on or date(2027, 7, 30) + timedelta(days=31))
            self.pump()
            self.dispatch_all()
            self.pump()
        finally:
            mail.stop()
