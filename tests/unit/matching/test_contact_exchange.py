"""Who sees whose business contact: the two sides of a confirmed meeting, unless opted out."""
from services.matching.domain.agenda import ical, printable
from services.matching.domain.contact_exchange import confirmed, public_profile, shared_contact
from services.matching.domain.participants import ParticipantProfile


def profile(share: bool = True, phone: str | None = "+919811000001", email: str | None = "w1@example.in") -> ParticipantProfile:
    return ParticipantProfile(id="s1", role="seller", name="Weaver 1", country="IN", preferred_language="ks", version=1,
                              contact={"phone": phone, "email": email}, share_contact=share)


def test_a_published_accepted_or_held_meeting_confirms_and_a_cancelled_one_or_a_pending_request_does_not():
    assert confirmed([{"status": "scheduled"}]) and confirmed([{"status": "held"}]) and confirmed([{"status": "no_show"}])
    assert confirmed([None], [{"status": "accepted"}])
    assert not confirmed([{"status": "cancelled"}, None], [{"status": "pending"}, {"status": "declined"}, None])
    assert not confirmed([])


def test_the_contact_is_shared_unless_the_participant_opted_out():
    assert shared_contact(profile()) == {"phone": "+919811000001", "email": "w1@example.in"}
    assert shared_contact(profile(email=None)) == {"phone": "+919811000001"}
    assert shared_contact(profile(share=False)) is None
    assert shared_contact(None) is None


def test_the_public_profile_never_carries_contact_details_unless_given_them():
    shown = public_profile(profile())
    assert "contact" not in shown and "share_contact" not in shown and "+919811000001" not in repr(shown)
    assert public_profile(profile(), {"phone": "+919811000001"})["contact"] == {"phone": "+919811000001"}


def test_the_agenda_shows_the_contacts_it_is_given_beside_their_meetings():
    meetings = [{"_id": f"m:s1:b{n}", "seller_id": "s1", "buyer_id": f"b{n}", "buyer_name": f"Brand {n}", "day": "2027-07-30", "start": "10:00",
                 "end": "10:30", "table": n, "status": "scheduled", "reasons": []} for n in (1, 2)]
    contacts = {"m:s1:b1": {"email": "b1@brand.example"}}
    page = printable(meetings, "s1", "Weaver 1", {"name": "BSM"}, contacts)
    assert page.count("b1@brand.example") == 1 and "<th>Contact</th>" in page
    feed = ical(meetings, "s1", {"name": "BSM"}, contacts=contacts)
    assert "Contact: b1@brand.example" in feed and feed.count("Contact:") == 1
