from datetime import datetime, time, timezone

from services.notifications.domain.contacts import Contact, after_quiet_hours, deliveries

SELLER = Contact("p1", "Haleema", "seller", "ur", phone="+919811000001")
BUYER = Contact("b1", "Anna", "buyer", "en", email="anna@keller.example", webhook_url="https://keller.example/hooks")


def test_sellers_hear_by_sms_and_buyers_by_email_and_webhook_by_default():
    assert deliveries(SELLER, "participation_approved") == [("sms", "+919811000001"), ("inbox", "p1")]
    assert [c for c, _ in deliveries(BUYER, "schedule_published")] == ["email", "webhook", "inbox"]


def test_chosen_channels_are_honoured():
    whatsapp = Contact("p2", "Yousuf", "seller", phone="+919811000002", channels=["whatsapp"])
    assert deliveries(whatsapp, "match_suggestions") == [("whatsapp", "+919811000002")]


def test_opting_out_keeps_only_the_inbox_except_for_what_nobody_can_do_without():
    quiet = Contact("p3", "Bilal", "seller", phone="+919811000003", opted_out=True)
    assert deliveries(quiet, "match_suggestions") == [("inbox", "p3")]
    assert deliveries(quiet, "meeting_cancelled") == [("sms", "+919811000003"), ("inbox", "p3")]
    inbox_only = Contact("p4", "Rafiq", "seller", phone="+919811000004", channels=["inbox"])
    assert ("sms", "+919811000004") in deliveries(inbox_only, "verification_code")


def test_sms_waits_for_the_end_of_quiet_hours_in_the_persons_time_zone():
    contact = Contact("p5", "Shabir", "seller", phone="+919811000005", quiet_start=time(21), quiet_end=time(8))
    late = datetime(2027, 7, 29, 17, 0, tzinfo=timezone.utc)  # 22:30 in India
    assert after_quiet_hours(late, contact, "sms") == datetime(2027, 7, 30, 2, 30, tzinfo=timezone.utc)  # 08:00 IST
    assert after_quiet_hours(late, contact, "email") == late
    noon = datetime(2027, 7, 30, 6, 30, tzinfo=timezone.utc)
    assert after_quiet_hours(noon, contact, "sms") == noon


def test_webhook_signatures_verify_and_refuse_tampering_and_replays():
    from services.notifications.channels.webhook import signature, verify

    body = b'{"kind": "participation_approved"}'
    sig = signature("s3cret", "1800000000", body)
    assert verify("s3cret", "1800000000", body, sig, now=1800000100)
    assert not verify("s3cret", "1800000000", body + b" ", sig, now=1800000100)
    assert not verify("other", "1800000000", body, sig, now=1800000100)
    assert not verify("s3cret", "1800000000", body, sig, now=1800009999)
    assert not verify("s3cret", "yesterday", body, sig)


def test_a_rate_limit_spaces_sends_evenly():
    from services.notifications.dispatcher import RateLimit

    clock = {"now": 100.0}
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        clock["now"] += seconds

    limit = RateLimit(4, clock=lambda: clock["now"], sleep=sleep)
    for _ in range(5):
        limit.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]
