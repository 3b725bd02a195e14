from datetime import datetime, timedelta, timezone

import pytest

from shared.one_time_codes import CODE_TTL, REDACTED, CodeSealer, UnreadableCode
from services.notifications.domain import recipients
from services.notifications.domain.notifications import notification_id, retry_delay
from services.notifications.rendering import Renderer

REGISTERED = {"participant_id": "p1", "name": "Haleema", "role": "seller", "preferred_language": "ks"}


def test_notification_ids_are_deterministic_per_event_kind_recipient_and_channel():
    assert notification_id("e1", "k", "p1", "email") == notification_id("e1", "k", "p1", "email")
    assert len({notification_id("e1", "k", "p1", c) for c in ("email", "sms", "inbox")}) == 3
    assert notification_id("e1", "k", "p1", "email") != notification_id("e2", "k", "p1", "email")


def test_retry_delay_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert retry_delay(50) == timedelta(minutes=15)


def test_registration_is_confirmed_by_email_when_there_is_an_address():
    [note] = recipients.registration_received("e1", "c1", {**REGISTERED, "email": "h@example.in"})
    assert (note.channel, note.address, note.language) == ("email", "h@example.in", "ks")


def test_registration_without_email_goes_to_the_inbox():
    [note] = recipients.registration_received("e1", "c1", {**REGISTERED, "email": None})
    assert (note.channel, note.address) == ("inbox", "p1")


def test_dogri_is_rendered_in_dogri_not_english():
    rendered = Renderer().render("registration_received", "doi", {"name": "Haleema", "role": "seller"})
    assert rendered.language == "doi"
    assert "Haleema" in rendered.subject and "बेचने आह्‌ला" in rendered.text and "seller" not in rendered.text
    assert '<html lang="doi" dir="ltr">' in rendered.html


def test_html_escapes_what_participants_typed():
    rendered = Renderer().render("registration_received", "en", {"name": "<b>x</b>", "role": "seller"})
    assert "&lt;b&gt;x&lt;/b&gt;" in rendered.html


def test_verification_codes_go_by_the_channel_registration_chose_in_the_persons_language():
    sealer = CodeSealer("a test key")
    data = {"participant_id": "p1", "name": "Haleema", "channel": "sms", "address": "+919811000001", "preferred_language": "hi",
            "sealed_code": sealer.seal("123456")}
    [note] = recipients.verification_code("e9", "c9", data)
    assert (note.kind, note.channel, note.address) == ("verification_code", "sms", "+919811000001")
    assert "123456" not in repr(note)
    rendered = Renderer(sealer=sealer).render(note.kind, note.language, note.context)
    assert rendered.language == "hi" and "123456" in rendered.text and "सत्यापन" in rendered.text
    assert "تصدیقی" in Renderer(sealer=sealer).render(note.kind, "ur", note.context).text
    shown = Renderer(sealer=sealer).render_redacted(note.kind, note.language, note.context)
    assert "123456" not in repr(shown) and REDACTED in shown.text


def test_a_sealed_code_opens_only_with_its_key_and_only_while_it_is_live():
    sealer, now = CodeSealer("a test key"), datetime(2027, 7, 30, 10, 0, tzinfo=timezone.utc)
    sealed = sealer.seal("818117", now)
    assert "818117" not in sealed
    assert sealer.open(sealed, now + CODE_TTL - timedelta(seconds=1)) == "818117"
    with pytest.raises(UnreadableCode):
        sealer.open(sealed, now + CODE_TTL + timedelta(seconds=1))
    with pytest.raises(UnreadableCode):
        CodeSealer("another key").open(sealed, now)
    with pytest.raises(UnreadableCode):
        Renderer().render("verification_code", "en", {"name": "H", "sealed_code": sealed})
