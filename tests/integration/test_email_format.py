"""What a real SMTP server receives from the email channel is an RFC 5322 message that any
reader parses back: a Date and a Message-ID, subjects in every script word for word, text
with an HTML alternative, and the schedule's calendar as ``text/calendar; charset=utf-8;
method=PUBLISH``. The bytes the server got are parsed with the standard ``email`` package
(both its current and its legacy API, as mail clients differ) and the calendar with
``icalendar``."""
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from itertools import takewhile

import pytest
from icalendar import Calendar

from deploy.local.mailsink import MailSink
from services.notifications.channels.email import SmtpChannel
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered
from services.notifications.schedule_file import schedule_ics
from tests.mail_reading import legacy_subject

SMTP_PORT = 18131
PUBLISHED_AT = datetime(2030, 6, 1, 9, tzinfo=timezone.utc)
LINES = [{"meeting_id": "m:s1:b1", "day": "2030-07-30", "start": "10:00", "end": "10:30", "table": 4, "timezone": "Asia/Dubai",
          "interpreter": None, "with": "Keller Living, GmbH; Berlin"}]
SUBJECTS = [
    "Your registration has been received, غلام نبی ڈار",  # Kashmiri (Perso-Arabic): the space before the last word was lost
    "Your registration has been received, Zoë Café – ژوٗن بیگم",
    "Your meetings at Srinagar BSM, ग़ुलाम नबी डार",  # Hindi
    "آپ کی ملاقاتیں: سرینگر بی ایس ایم، حلیمہ بانو، کانی شال ساز اور دستکار",  # Urdu, longer than one line
    "Your meetings at Srinagar BSM",
]


@pytest.fixture
def sink():
    server = MailSink(port=SMTP_PORT).start()
    yield server
    server.stop()


def notification(**context) -> Notification:
    return Notification(kind="schedule_published", channel="email", recipient_id="s1", address="ghulam@example.in", language="ks",
                        context=context, source_event_id="event-1", correlation_id="corr-1")


def send(note: Notification, rendered: Rendered, sink: MailSink) -> bytes:
    SmtpChannel("127.0.0.1", SMTP_PORT, "BSM Platform <no-reply@bsm.local>", timeout=2, message_id_domain="mail.bsm.example").send(note, rendered)
    [raw] = sink.raw_messages
    return raw


def content(part) -> str:
    """A text part's content as its lines, whatever line ending the wire had."""
    return "\n".join(part.get_content().splitlines())


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_server_receives_a_dated_identified_message_whose_subject_reads_back_word_for_word(sink, subject):
    note = notification(ics=schedule_ics("s1", LINES, "Srinagar BSM", PUBLISHED_AT))
    raw = send(note, Rendered("ks", subject, "Your meetings:\n- 2030-07-30 10:00", "<p>Your meetings</p>"), sink)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    first, *rest = head.split("\r\nSubject: ", 1)[1].split("\r\n")
    continued = list(takewhile(lambda line: line[:1] in (" ", "\t"), rest))
    assert raw.isascii() and max(len(line) for line in head.split("\r\n")) <= 998
    assert max(map(len, ["Subject: " + first, *continued])) <= 78
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == subject
    assert legacy_subject(raw) == subject
    sent = parsedate_to_datetime(message["Date"])
    assert sent.tzinfo is not None and abs(sent - datetime.now(timezone.utc)) < timedelta(minutes=5)
    assert message["Message-ID"] == f"<{note.id}@mail.bsm.example>"
    assert message["X-BSM-Notification-ID"] == note.id and message["MIME-Version"] == "1.0"


def test_text_html_and_the_calendar_file_arrive_as_parts_a_client_understands(sink):
    text = "غلام نبی ڈار، your meetings:\n- 2030-07-30 10:00-10:30, table 4: Keller Living"
    html = "<p>غلام نبی ڈار، your meetings</p>"
    calendar = schedule_ics("s1", LINES, "Srinagar BSM", PUBLISHED_AT)
    message = message_from_bytes(send(notification(ics=calendar), Rendered("ks", "Your meetings", text, html), sink), policy=policy.default)
    assert message.get_content_type() == "multipart/mixed"
    body, attachment = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in body.iter_parts()] == ["text/plain", "text/html"]
    assert content(message.get_body(("plain",))) == text and content(message.get_body(("html",))) == html
    assert attachment.get_content_type() == "text/calendar"
    assert (attachment.get_param("charset"), attachment.get_param("method")) == ("utf-8", "PUBLISH")
    assert attachment.get_filename() == "bsm-meetings.ics" and attachment.get_content_disposition() == "attachment"
    received = Calendar.from_ical(attachment.get_content())
    assert [tz.tz_name for tz in received.timezones] == ["Asia/Dubai"]
    [event] = received.events
    assert event.start.astimezone(timezone.utc) == datetime(2030, 7, 30, 6, tzinfo=timezone.utc)
    assert event["SUMMARY"] == "Meeting with Keller Living, GmbH; Berlin (table 4)"


def test_a_message_without_html_or_calendar_is_one_dated_text_part(sink):
    message = message_from_bytes(send(notification(), Rendered("en", "Your code", "123456 is your code", None), sink), policy=policy.default)
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message["Date"] and message["Message-ID"] and content(message) == "123456 is your code"
