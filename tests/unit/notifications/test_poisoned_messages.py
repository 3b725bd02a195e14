"""A message built from what a person entered can never add a header, and one that cannot
be rendered, built or recorded is dead with its reason while the rest of its batch goes out."""
from dataclasses import replace
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest
from bson.errors import InvalidDocument

from services.notifications.channels import DeliveryError, UndeliverableError, one_line, post_json
from services.notifications.channels.email import build_email, mail_address
from services.notifications.dispatcher import Dispatcher
from services.notifications.domain import recipients
from services.notifications.queue import Claim
from services.notifications.rendering import Renderer
from services.notifications.store import DEAD_OUTCOME, RETRY, SENT_OUTCOME

NOW = datetime(2030, 7, 30, 9, 0, tzinfo=timezone.utc)
SENDER = mail_address("no-reply@bsm.local", "BSM")
LINE_BREAKS = ["\n", "\r", "\r\n", "\n\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\r\n "]


def registration(n: int = 1, name: str = "Haleema Bano", email: str = "haleema@example.in", correlation: str | None = "corr-1"):
    person = {"participant_id": f"p{n}", "name": name, "role": "seller", "preferred_language": "en", "email": email}
    [note] = recipients.registration_received(f"event-{n}", correlation, person)
    return note


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_a_name_with_a_line_break_stays_in_its_subject_and_adds_no_header(brk):
    def email(note):
        built = build_email(note, Renderer().render(note.kind, note.language, note.context), SENDER)
        return built, message_from_bytes(built.data, policy=policy.default)

    built, message = email(registration(name=f"Evil{brk}X-Injected: yes", correlation=f"corr{brk}X-Also: yes"))
    _, plain = email(registration(name="Haleema Bano"))
    assert message.keys() == plain.keys() and "X-Injected" not in message and "X-Also" not in message
    assert "Evil X-Injected: yes" in message["Subject"]
    assert message["X-Correlation-ID"] == "corr X-Also: yes"
    assert (built.sender, built.recipient) == ("no-reply@bsm.local", "haleema@example.in")


@pytest.mark.parametrize("address", ["a@example.in\nBcc: victim@example.in", "a@example.in\r\n", "a@example.in, b@example.in",
                                     "Someone <a@example.in>", "", "no-at-sign", "\"x\ny\"@example.in"])
def test_an_address_that_is_not_one_plain_address_is_undeliverable(address):
    note = registration(email=address)
    with pytest.raises(UndeliverableError, match="not one plain email address"):
        build_email(note, Renderer().render(note.kind, note.language, note.context), SENDER)


def test_one_line_leaves_no_line_break_or_control_character():
    for brk in LINE_BREAKS + ["\x00", "\t", "\x7f"]:
        assert one_line(f" a{brk}b ") == "a b"


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://example.in/x", "javascript:alert(1)", "http://exa\nmple.in/",
                                 "http://example.in/a\r\nb", "http://[::1/"])
def test_a_webhook_address_that_is_not_an_http_url_is_undeliverable_before_any_request(url):
    with pytest.raises(UndeliverableError):
        post_json(url, b"{}", {"X-Correlation-ID": "c"}, timeout=1, what="webhook")


class Store:
    """Keeps what is recorded; ``refuse`` names notifications whose outcome cannot be
    written as it is (as a value BSON cannot hold would fail)."""

    def __init__(self, notes, refuse=()):
        self.notes = {n.id: n for n in notes}
        self.claims, self.refuse, self.recorded = [claim(n) for n in notes], set(refuse), []
        self.queue = self

    def get(self, notification_id):
        return replace(self.notes[notification_id])

    def scan(self, now, grace):
        return [{"_id": c.id} for c in self.claims]

    def tidy_queue(self, now, lease):
        pass

    def claim_due(self, now, lease, limit=None, free=None, candidates=None):
        taken, self.claims = self.claims, []
        return taken

    def record(self, outcomes):
        if any(o.claim.id in self.refuse and o.result != DEAD_OUTCOME for o in outcomes):
            raise InvalidDocument("cannot encode object")
        self.recorded.extend(outcomes)

    def results(self):
        return {o.claim.id: (o.result, o.error) for o in self.recorded}


def claim(note, attempts: int = 1) -> Claim:
    return Claim(note.id, note.channel, note.kind, NOW, NOW, f"{note.id}#1", attempts)


class Mail:
    name = "email"

    def __init__(self, fail=None):
        self.sent, self.fail = [], fail or {}

    def send(self, notification, rendered):
        if notification.recipient_id in self.fail:
            raise self.fail[notification.recipient_id]
        build_email(notification, rendered, SENDER)
        self.sent.append(notification.recipient_id)


def test_messages_that_cannot_be_rendered_built_or_sent_are_dead_with_the_reason_and_the_rest_go_out():
    good = [registration(n) for n in range(1, 6)]
    unrenderable = registration(10)
    unrenderable.context = {"role": "seller"}  # no name: the template cannot be rendered
    bad_address = registration(11, email="a@example.in\nBcc: victim@example.in")
    broken = registration(12)
    flaky = registration(13)
    evil = registration(14, name="Evil\nX-Injected: yes")
    store = Store((*good, unrenderable, bad_address, broken, flaky, evil))
    mail = Mail(fail={"p12": ValueError("a bug in a channel"), "p13": DeliveryError("smtp away")})
    dispatcher = Dispatcher(store, Renderer(), {"email": mail})
    assert dispatcher.dispatch_once() is True
    results = store.results()
    assert sorted(mail.sent) == ["p1", "p14", "p2", "p3", "p4", "p5"]
    assert {results[n.id][0] for n in (*good, evil)} == {SENT_OUTCOME}
    assert results[unrenderable.id][0] == DEAD_OUTCOME and "cannot be rendered" in results[unrenderable.id][1] and "name" in results[unrenderable.id][1]
    assert results[bad_address.id][0] == DEAD_OUTCOME and "not one plain email address" in results[bad_address.id][1]
    assert results[broken.id] == (DEAD_OUTCOME, "cannot be sent: ValueError: a bug in a channel")
    assert results[flaky.id] == (RETRY, "smtp away")
    dead = [o for o in store.recorded if o.result == DEAD_OUTCOME]
    assert all(o.events and o.events[0].data["error"] == o.error for o in dead)  # each announced as failed, with its reason


def test_an_outcome_that_cannot_be_recorded_is_recorded_dead_and_the_rest_of_its_batch_is_recorded():
    notes = [registration(n) for n in range(1, 5)]
    store = Store(notes, refuse={notes[2].id})
    dispatcher = Dispatcher(store, Renderer(), {"email": Mail()})
    assert dispatcher.dispatch_once() is True
    results = store.results()
    assert [results[n.id][0] for n in notes] == [SENT_OUTCOME, SENT_OUTCOME, DEAD_OUTCOME, SENT_OUTCOME]
    assert "could not be recorded" in results[notes[2].id][1] and "InvalidDocument" in results[notes[2].id][1]
    assert dispatcher.in_flight["email"] == 0 and dispatcher.held == {}


class BrokenJournal:
    """A journal of sent messages on a full disk: nothing can be written to it."""

    def held(self):
        return {}

    def recover_others(self, record):
        return 0

    def add(self, notification_id, entry):
        raise OSError(28, "No space left on device")

    def forget(self, notification_ids):
        raise OSError(28, "No space left on device")


def test_a_journal_that_cannot_be_written_changes_nothing_about_sending_and_recording():
    notes = [registration(n) for n in range(1, 4)]
    store, mail = Store(notes), Mail()
    dispatcher = Dispatcher(store, Renderer(), {"email": mail}, journal=BrokenJournal())
    assert dispatcher.dispatch_once() is True
    assert sorted(mail.sent) == ["p1", "p2", "p3"]
    assert [o.result for o in store.recorded] == [SENT_OUTCOME] * 3  # each recorded once, in one batch or alone
    assert dispatcher.in_flight["email"] == 0 and dispatcher.held == {}
