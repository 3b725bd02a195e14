"""Notifications from registration's and matching's events to real SMTP, gateway and webhook
listeners on loopback, on the real FerretDB."""
import json
import threading
from datetime import date, datetime, time, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy.local.gatewaysink import GatewaySink
from deploy.local.mailsink import MailSink
from shared.contracts import matching as matching_events
from shared.contracts import registration as catalogue
from shared.envelope import Event
from services.matching import messages as matching_messages
from services.notifications.__main__ import build_dispatcher
from services.notifications.app import create_app
from services.notifications.channels.webhook import verify
from services.notifications.handlers import build_handlers
from services.registration.domain.applications import Application
from services.registration.domain.meets import OPEN, Meet
from services.registration.domain.participants import Participant
from services.registration.messages import meet_event, participant_event, participation_event
from tests.api.conftest import ORGANISER

pytestmark = pytest.mark.stack

SMTP, GATEWAY, HOOK = 18225, 18226, 18227
MEET = Meet(name="Srinagar BSM", venue="SKICC", city="Srinagar", days=[date(2030, 7, 30)], session_start=time(10), session_end=time(11),
            meeting_minutes=30, tables=2, capacity_sellers=5, capacity_buyers=5, status=OPEN, id="meet-n", reminder_minutes=45)
SELLER = Participant(id="s1", role="seller", name="Haleema Bano", country="IN", preferred_language="ur", phone="+919811000001")
BUYER = Participant(id="b1", role="buyer", name="Anna", organisation="Keller Living", country="DE", international=True,
                    preferred_language="en", email="anna@keller.example")


class Hooks:
    def __init__(self):
        self.received = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((self.headers, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", HOOK), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def world(settings_for):
    settings = settings_for("notifications", SMTP_PORT=str(SMTP), SMS_GATEWAY_URL=f"http://127.0.0.1:{GATEWAY}/messages",
                            BSM_WEBHOOK_ALLOW_PRIVATE="1")  # the webhook listener is on loopback
    app = create_app(settings)
    db = app.extensions["notifications"].store.collection.database
    handlers = build_handlers(db, settings)
    mail, gateway, hooks = MailSink(port=SMTP).start(), GatewaySink(port=GATEWAY).start(), Hooks()

    def deliver(event: Event):
        handlers[event.type](event)

    def dispatch_all(now=None):
        dispatcher = build_dispatcher(settings)
        sent = 0
        while dispatcher.dispatch_once():
            sent += 1
        return sent

    for event in (meet_event(catalogue.MEET_CREATED, MEET), participant_event(catalogue.PARTICIPANT_REGISTERED, SELLER),
                  participant_event(catalogue.PARTICIPANT_REGISTERED, BUYER)):
        deliver(event)
    yield {"app": app, "client": app.test_client(), "deliver": deliver, "dispatch": dispatch_all, "mail": mail, "gateway": gateway,
           "hooks": hooks, "store": app.extensions["notifications"].store}
    mail.stop(), gateway.stop(), hooks.stop()


def approved(participant):
    return participation_event(Application(MEET.id, participant.id, participant.role, [s.id for s in MEET.slots()], status="approved", version=2), MEET)


def published_meeting():
    slot = MEET.slots()[1]
    return {"_id": f"{MEET.id}:s1:b1", "meet_id": MEET.id, "seller_id": "s1", "buyer_id": "b1", "slot_id": slot.id, "day": slot.day.isoformat(),
            "start": slot.start.strftime("%H:%M"), "end": slot.end.strftime("%H:%M"), "table": 2, "timezone": "Asia/Kolkata",
            "reasons": [], "status": "scheduled", "version": 1}


def test_an_approval_reaches_the_seller_by_sms_in_urdu_once_even_if_redelivered(world):
    event = approved(SELLER)
    world["deliver"](event)
    world["deliver"](event)
    world["dispatch"]()
    texts = [m["text"] for m in world["gateway"].received() if "منظور" in m["text"]]
    assert len(texts) == 1 and "Srinagar BSM" in texts[0]


def test_the_schedule_reaches_each_side_in_one_message_with_a_calendar_file(world):
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, published_meeting()))
    world["deliver"](matching_messages.schedule_published(MEET.id, {"meetings": 1, "value": 90.0, "upper_bound": 90.0, "at": datetime.now(timezone.utc)}))
    world["dispatch"]()
    [email] = [m for m in world["mail"].messages if "Your meetings" in m["Subject"]]
    assert email["To"] == "anna@keller.example" and "Srinagar BSM" in email["Subject"]
    [attachment] = [part for part in email.iter_attachments()]
    calendar = attachment.get_content()
    assert attachment.get_content_type() == "text/calendar" and "BEGIN:VEVENT" in calendar, calendar
    assert "UID:meet-n:s1:b1@bsm" in calendar, calendar
    [sms] = [m for m in world["gateway"].received() if m["channel"] == "sms" and "/meets/meet-n/agenda" in m["text"]]
    assert "میز 2" in sms["text"] and "attached" not in sms["text"]  # the seller reads Urdu; the SMS has no attachment to speak of
    assert sms["segments"] <= 3 and "Keller Living" not in sms["text"]  # a summary: the meetings themselves are in the agenda
    assert "attached" not in email.get_body(("plain",)).get_content()


def test_a_reminder_is_stored_for_later_fires_once_and_is_withdrawn_if_the_meeting_is_cancelled(world):
    meeting = published_meeting()
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, meeting))
    reminders = world["store"].find(kind="meeting_reminder")
    assert {r["recipient_id"] for r in reminders} == {"s1", "b1"}
    assert all(r["next_attempt_at"] > datetime.now(timezone.utc) + timedelta(days=365) for r in reminders)
    starts = datetime(2030, 7, 30, 10, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert {r["next_attempt_at"] for r in reminders} == {starts - timedelta(minutes=45)}  # the meet's own lead time
    for reminder in world["store"].find(kind="meeting_reminder", recipient_id="b1"):
        assert world["store"].reschedule(reminder["id"], datetime.now(timezone.utc))
    assert world["dispatch"]() >= 1
    assert world["dispatch"]() == 0  # a second dispatcher (as after a restart) sends nothing again
    cancelled = {**meeting, "status": "cancelled", "version": 2}
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_CANCELLED, cancelled))
    statuses = {(r["recipient_id"], r["channel"]): r["status"] for r in world["store"].find(kind="meeting_reminder")}
    assert statuses[("s1", "sms")] == "cancelled" and statuses[("b1", "email")] == "sent"
    assert {n["recipient_id"] for n in world["store"].find(kind="meeting_cancelled")} == {"s1", "b1"}


def test_preferences_quiet_hours_and_the_inbox(world):
    client = world["client"]
    seller = {"Authorization": f"Bearer {world['app'].extensions['auth'].issue('s1')}"}
    assert client.put("/v1/preferences/s1", json={"quiet_start": "00:00"}, headers=seller).status_code == 422
    prefs = client.put("/v1/preferences/s1", json={"channels": ["sms", "inbox"], "quiet_start": "00:00", "quiet_end": "23:59"}, headers=seller)
    assert prefs.status_code == 200 and prefs.get_json()["channels"] == ["sms", "inbox"]
    world["deliver"](approved(SELLER))
    [sms] = world["store"].find(kind="participation_approved", channel="sms")
    assert sms["next_attempt_at"] > datetime.now(timezone.utc)  # held until quiet hours end
    world["dispatch"]()
    inbox = client.get("/v1/inbox/s1", headers=seller).get_json()
    assert inbox["unread"] >= 1
    first = inbox["items"][0]["id"]
    assert client.post(f"/v1/inbox/s1/{first}/read", headers=seller).get_json()["unread"] == inbox["unread"] - 1
    assert client.get("/v1/inbox/b1", headers=seller).status_code == 403


def test_buyers_systems_get_signed_webhooks_they_can_verify(world):
    client = world["client"]
    buyer = {"Authorization": f"Bearer {world['app'].extensions['auth'].issue('b1')}"}
    answer = client.put("/v1/preferences/b1", json={"channels": ["webhook"], "webhook_url": f"http://127.0.0.1:{HOOK}/bsm"}, headers=buyer).get_json()
    secret = answer["webhook_secret"]
    assert "webhook_secret" not in client.get("/v1/preferences/b1", headers=buyer).get_json()
    world["deliver"](approved(BUYER))
    world["dispatch"]()
    [(headers, body)] = world["hooks"].received
    assert verify(secret, headers["X-BSM-Timestamp"], body, headers["X-BSM-Signature"])
    assert not verify(secret, str(int(headers["X-BSM-Timestamp"]) - 3600), body, headers["X-BSM-Signature"])
    assert json.loads(body)["kind"] == "participation_approved"


def test_a_gateway_outage_delays_messages_and_loses_none(world):
    world["gateway"].down = True
    world["deliver"](approved(SELLER))
    world["dispatch"]()
    [pending] = world["store"].find(kind="participation_approved", channel="sms")
    assert pending["status"] == "pending" and pending["last_error"]
    world["gateway"].down = False
    for pending in world["store"].find(status="pending"):
        assert world["store"].reschedule(pending["id"], datetime.now(timezone.utc))
    world["dispatch"]()
    assert [n["status"] for n in world["store"].find(kind="participation_approved", channel="sms")] == ["sent"]
    assert len([m for m in world["gateway"].received() if "منظور" in m["text"]]) == 1


def test_an_unanswered_request_gets_a_nudge_that_an_answer_withdraws(world):
    request = {"_id": f"{MEET.id}:s1:b1", "meet_id": MEET.id, "from_id": "s1", "to_id": "b1", "message": "Saffron samples ready", "status": "pending", "by_organiser": False}
    world["deliver"](matching_messages.request_event(matching_events.MEETING_REQUESTED, request))
    [nudge] = world["store"].find(kind="request_waiting", channel="email")
    assert nudge["next_attempt_at"] > datetime.now(timezone.utc) + timedelta(hours=23)
    world["deliver"](matching_messages.request_event(matching_events.MEETING_ACCEPTED, {**request, "status": "accepted"}))
    assert {n["status"] for n in world["store"].find(kind="request_waiting")} == {"cancelled"}
    assert [n["recipient_id"] for n in world["store"].find(kind="meeting_accepted", channel="sms")] == ["s1"]


def test_a_later_publication_is_sent_only_to_the_people_with_a_meeting_the_first_did_not_hold(world):
    s2 = Participant(id="s2", role="seller", name="Ghulam Nabi", country="IN", preferred_language="en", email="ghulam@dar.example")
    b2 = Participant(id="b2", role="buyer", name="Lena", organisation="Nord Home", country="DE", international=True, preferred_language="en",
                     email="lena@nord.example")
    for person in (s2, b2):
        world["deliver"](participant_event(catalogue.PARTICIPANT_REGISTERED, person))
    kept = published_meeting()
    slot = MEET.slots()[0]
    new = {**kept, "_id": f"{MEET.id}:s2:b2", "seller_id": "s2", "buyer_id": "b2", "slot_id": slot.id, "start": slot.start.strftime("%H:%M"),
           "end": slot.end.strftime("%H:%M"), "table": 1}
    stats = {"value": 90.0, "upper_bound": 90.0, "at": datetime.now(timezone.utc)}
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, kept))
    first = matching_messages.schedule_published(MEET.id, {**stats, "meetings": 1}, [kept])
    world["deliver"](first)
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, new))
    later = matching_messages.schedule_published(MEET.id, {**stats, "meetings": 2}, [kept, new])
    world["deliver"](later)
    world["deliver"](later)

    def told(event):
        return sorted(n["recipient_id"] for n in world["store"].find(kind="schedule_published") if n["source_event_id"] == event.id)

    assert told(first) == ["b1", "b1", "s1", "s1"]  # each by a channel and in the inbox
    assert told(later) == ["b2", "b2", "s2", "s2"], "s1 and b1 have nothing new: they were sent this schedule with the first publication"


def test_a_meeting_added_after_publication_is_announced_to_both(world):
    world["deliver"](matching_messages.schedule_published(MEET.id, {"meetings": 0, "value": 0.0, "upper_bound": 0.0, "at": datetime.now(timezone.utc)}))
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, published_meeting()))
    assert {n["recipient_id"] for n in world["store"].find(kind="meeting_added")} == {"s1", "b1"}


def test_organisers_get_one_daily_digest_while_registration_is_open_and_the_results_after(world):
    from services.notifications.digests import record_digests
    from services.notifications.views import MeetNames, Tallies

    db = world["store"].collection.database
    meets, tallies = MeetNames(db), Tallies(db)
    world["deliver"](approved(SELLER))
    world["deliver"](approved(SELLER))
    world["deliver"](approved(BUYER))
    organisers = ["desk@jktpo.example"]
    assert record_digests(world["store"], meets, tallies, organisers, date(2030, 7, 1)) == 1
    assert record_digests(world["store"], meets, tallies, organisers, date(2030, 7, 1)) == 0
    assert record_digests(world["store"], meets, tallies, organisers, date(2030, 7, 2)) == 1
    world["dispatch"]()
    digest = next(m for m in world["mail"].messages if "registrations on 1 Jul 2030" in m["Subject"])
    text = digest.get_body(("plain",)).get_content()
    assert "sellers approved: 1" in text and "buyers approved: 1" in text
    completed = Meet(**{**MEET.__dict__, "status": "completed", "version": 5})
    world["deliver"](meet_event(catalogue.MEET_STATUS_CHANGED, completed))
    loi = {"_id": f"{MEET.id}:s1:b1", "meet_id": MEET.id, "seller_id": "s1", "buyer_id": "b1",
           "loi": {"product": "Saffron", "quantity": {"value": "5", "unit": "kg"}, "value": {"amount": "105000000.00", "currency": "INR"},
                   "value_inr": "105000000.00", "signed_on": "2030-07-30", "follow_up": [{"due": "2030-08-29"}]}}
    world["deliver"](matching_messages.loi_signed(loi))
    assert {n["recipient_id"] for n in world["store"].find(kind="thank_you")} == {"s1", "b1"}
    assert record_digests(world["store"], meets, tallies, organisers, date(2030, 7, 31)) == 1
    world["dispatch"]()
    results = next(m for m in world["mail"].messages if m["Subject"].startswith("Results of"))
    assert "1 Letters of Intent worth Rs 10.50 crore" in results.get_body(("plain",)).get_content()


def test_a_moved_meeting_moves_its_reminder(world):
    meeting = published_meeting()
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, meeting))
    earlier = MEET.slots()[0]
    moved = {**meeting, "slot_id": earlier.id, "start": earlier.start.strftime("%H:%M"), "end": earlier.end.strftime("%H:%M"), "version": 2}
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, moved))
    world["deliver"](matching_messages.meeting_event(matching_events.MEETING_SCHEDULED, meeting))  # the old version, redelivered
    reminders = world["store"].find(kind="meeting_reminder")
    pending = [r for r in reminders if r["status"] == "pending"]
    starts = datetime(2030, 7, 30, 10, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert {r["recipient_id"] for r in pending} == {"s1", "b1"}
    assert {r["next_attempt_at"] for r in pending} == {starts - timedelta(minutes=45)}
    assert len(reminders) == 2 * len(pending) and {r["status"] for r in reminders} == {"pending", "cancelled"}
