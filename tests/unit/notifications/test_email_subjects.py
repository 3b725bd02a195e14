"""Any subject, in any mix of scripts, reads back word for word from the built message, on
folded lines of at most 78 characters (the space CPython 3.11's folder drops between two
encoded words is kept, and no first line is left empty), and text a person typed is sent
as text even when it looks like an encoded word."""
from dataclasses import replace
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from hypothesis import given, settings, strategies as st

from services.notifications.channels.email import build_email, mail_address
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered
from tests.mail_reading import legacy_subject

SENDER = mail_address("no-reply@bsm.local", "BSM Platform")
WORDS = ["Your", "registration", "has", "been", "received,", "Meeting", "with", "(table", "3)", "BSM", "=?utf-8?q?x?=", "a_b",
         "غلام", "نبی", "ڈار", "ژوٗن", "کٲشُر", "بیگم،", "ग़ुलाम", "नबी", "डार", "हलीमा", "Zoë", "Café", "–", "डोगरी",
         ";", "a;b,c", "x" * 68, "y" * 70, "https://bsm.example/v1/meets/srinagar-2030/agenda/s1-with-a-long-path-that-cannot-fold"]
NOTE = Notification(kind="registration_received", channel="email", recipient_id="p1", address="ghulam@example.in", language="ks",
                    context={}, source_event_id="event-1")


def built(subject: str, now: datetime | None = None) -> bytes:
    return build_email(NOTE, Rendered("ks", subject, "text", None), SENDER, "mail.bsm.example", now).data


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=24))
def test_a_subject_of_any_words_reads_back_exactly_on_short_lines(words):
    subject = " ".join(words)
    data = built(subject)
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert max(len(line) for line in head.split("\r\n") if not line.startswith("Message-ID:")) <= 78
    assert message_from_bytes(data, policy=policy.default)["Subject"] == subject
    assert legacy_subject(data) == subject


def test_the_date_is_the_time_of_building_with_its_offset_and_the_message_id_names_the_notification():
    now = datetime(2030, 7, 30, 4, 30, tzinfo=timezone.utc)
    message = message_from_bytes(built("Your code", now), policy=policy.default)
    assert parsedate_to_datetime(message["Date"]) == now
    assert message["Message-ID"] == f"<{NOTE.id}@mail.bsm.example>"


def test_every_attempt_at_one_notification_is_the_same_message_and_others_are_not():
    first, again = built("Your code", datetime(2030, 7, 30, 4, 30, tzinfo=timezone.utc)), built("Your code", datetime(2030, 7, 30, 5, 0, tzinfo=timezone.utc))
    assert message_from_bytes(first, policy=policy.default)["Message-ID"] == message_from_bytes(again, policy=policy.default)["Message-ID"]
    other = build_email(replace(NOTE, recipient_id="p-other"), Rendered("ks", "Your code", "text", None), SENDER, "mail.bsm.example").data
    assert message_from_bytes(other, policy=policy.default)["Message-ID"] != message_from_bytes(first, policy=policy.default)["Message-ID"]
    resent = build_email(replace(NOTE, resends=2), Rendered("ks", "Your code", "text", None), SENDER, "mail.bsm.example").data
    assert message_from_bytes(resent, policy=policy.default)["Message-ID"] == f"<{NOTE.id}.2@mail.bsm.example>", "staff's resend is a new message"


def test_an_encoded_word_a_person_typed_stays_text_and_adds_no_header_or_body():
    name = "=?utf-8?q?Ali=0D=0AContent-Type:_text/html=0D=0A=0D=0A<a_href=3Dhttp://evil>pay_here</a>?="
    data = built(f"Your registration has been received, {name}")
    message = message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == f"Your registration has been received, {name}"
    assert message.get_all("Content-Type") == ['text/plain; charset="utf-8"'] and b"evil>pay" not in data
