"""Who may do what: every endpoint of the three services against every kind of caller.

``owner`` is the participant the URL is about; ``other`` is another participant. A status
in the table means the access rule refused the request with it; ``ALLOWED`` means it let
the request through (anything but 401/403): what the request then does is tested elsewhere.
Ids the world below does not hold (meetings, requests, jobs...) are unknown, so a request
the rules let through may then answer 404; who may act on a real meeting or request (its
two sides) is tested in test_matching_api.py. ``test_every_endpoint_is_in_the_matrix``
keeps the table complete: a new route without an entry fails it.
"""
import pytest

from services.matching.app import create_app as create_matching_app
from services.notifications.app import create_app as create_notifications_app
from tests.api.conftest import BUYER, MEET, OPERATOR, ORGANISER, SELLER, open_meet, register, token_for

pytestmark = pytest.mark.stack

ROLES = ("anonymous", "other", "owner", "organiser", "operator")
ALLOWED = object()

ANYONE = {role: ALLOWED for role in ROLES}
ANY_CALLER = {"anonymous": 401, "other": ALLOWED, "owner": ALLOWED, "organiser": ALLOWED, "operator": ALLOWED}
STAFF = {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": ALLOWED}
ORGANISERS = {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}
SELF_OR_STAFF = {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": ALLOWED, "operator": ALLOWED}
SELF_OR_ORGANISER = {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": ALLOWED, "operator": 403}
PARTICIPANTS_OR_ORGANISER = {"anonymous": 401, "other": ALLOWED, "owner": ALLOWED, "organiser": ALLOWED, "operator": 403}
PARTICIPANTS = {"anonymous": 401, "other": ALLOWED, "owner": ALLOWED, "organiser": 403, "operator": 403}
SELF_ONLY = {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": 403, "operator": 403}
SELF_REGISTRATION = {"anonymous": ALLOWED, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}

CSV = object()
SERVICE_ROUTES = {("GET", rule): (None, ANYONE) for rule in ("/docs", "/docs/<asset>", "/healthz", "/metrics", "/openapi.json", "/readyz", "/static/<path:filename>")}
FRESHNESS_ROUTES = {("GET", "/v1/freshness"): (None, ANY_CALLER), ("GET", "/v1/freshness/events"): (None, ANY_CALLER)}

MATRIX = {
    # service: {(method, Flask rule): (body, {role: expected})}
    "registration": {
        **SERVICE_ROUTES,
        ("POST", "/v1/meets"): ("meet", ORGANISERS),
        ("GET", "/v1/meets"): (None, ANYONE),
        ("GET", "/v1/meets/<meet_id>"): (None, ANYONE),
        ("PATCH", "/v1/meets/<meet_id>"): ({"tables": 3}, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/status"): ({"status": "registration_closed"}, ORGANISERS),
        ("GET", "/v1/meets/<meet_id>/slots"): (None, ANYONE),
        ("POST", "/v1/sellers"): ("seller", SELF_REGISTRATION),
        ("GET", "/v1/sellers"): (None, STAFF),
        ("GET", "/v1/sellers/<participant_id>"): (None, {**SELF_OR_STAFF, "other": ALLOWED}),
        ("PATCH", "/v1/sellers/<participant_id>"): ({"organisation": "X"}, SELF_OR_ORGANISER),
        ("POST", "/v1/sellers/<participant_id>/claims"): ({"kind": "organic", "number": "ORG-1"}, SELF_OR_ORGANISER),
        ("POST", "/v1/sellers/<participant_id>/claims/<claim_id>/review"): ({"verified": True}, ORGANISERS),
        ("PUT", "/v1/sellers/<participant_id>/ecommerce/<channel>"): ({"status": "in_progress"}, ORGANISERS),
        ("POST", "/v1/buyers"): ("buyer", SELF_REGISTRATION),
        ("GET", "/v1/buyers"): (None, STAFF),
        ("GET", "/v1/buyers/<participant_id>"): (None, {**SELF_OR_STAFF, "other": ALLOWED}),
        ("PATCH", "/v1/buyers/<participant_id>"): ({"organisation": "X"}, SELF_OR_ORGANISER),
        ("POST", "/v1/participants/<participant_id>/verification-code"): (None, ANYONE),
        ("POST", "/v1/participants/<participant_id>/verify"): ({"code": "000000"}, ANYONE),
        ("POST", "/v1/participants/<participant_id>/contact-verification"): ({"method": "in_person"}, ORGANISERS),
        ("GET", "/v1/reports/ecommerce-onboarding"): (None, STAFF),
        ("POST", "/v1/meets/<meet_id>/applications"): ("application", PARTICIPANTS_OR_ORGANISER),
        ("GET", "/v1/meets/<meet_id>/applications"): (None, STAFF),
        ("GET", "/v1/meets/<meet_id>/applications/<hexid:participant_id>"): (None, SELF_OR_STAFF),
        ("POST", "/v1/meets/<meet_id>/applications/<participant_id>/decision"): ({"decision": "waitlist"}, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/applications/<participant_id>/withdrawal"): ({}, SELF_OR_ORGANISER),
        ("PUT", "/v1/meets/<meet_id>/applications/<participant_id>/availability"): ({"availability": "all"}, SELF_OR_ORGANISER),
        ("POST", "/v1/meets/<meet_id>/applications/bulk"): ({"items": [{"participant_id": "unknown", "availability": "all"}]}, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/decisions/bulk"): ({"items": [{"participant_id": "unknown", "decision": "waitlist"}]}, ORGANISERS),
        # aggregators (a participant kind) import too: the owner and the other are sellers
        ("POST", "/v1/imports/sellers"): (CSV, ORGANISERS),
        ("POST", "/v1/imports/buyers"): (CSV, ORGANISERS),
        ("GET", "/v1/imports/<hexid:job_id>"): (None, ANY_CALLER),
        ("POST", "/v1/field-batches"): ({"batch_id": "b-1", "rows": []}, ORGANISERS),
        ("GET", "/v1/field-batches/<batch_id>"): (None, STAFF),
        ("GET", "/v1/reference/districts"): (None, ANYONE),
        ("GET", "/v1/reference/gi-tags"): (None, ANYONE),
        ("GET", "/v1/reference/odop-products"): (None, ANYONE),
        ("GET", "/v1/reference/states"): (None, ANYONE),
        ("PUT", "/v1/reference/states"): ({}, ORGANISERS),
        ("GET", "/v1/reference/vocabularies"): (None, ANYONE),
    },
    "matching": {
        **SERVICE_ROUTES,
        ("GET", "/v1/participants/<participant_id>"): (None, SELF_OR_STAFF),
        ("POST", "/v1/participants/<participant_id>/feed-token"): (None, SELF_OR_ORGANISER),
        ("DELETE", "/v1/participants/<participant_id>/feed-token"): (None, SELF_OR_ORGANISER),
        ("GET", "/v1/reports"): (None, STAFF),
        ("GET", "/v1/meets/<meet_id>/report"): (None, STAFF),
        ("GET", "/v1/meets/<meet_id>/recommendations/<participant_id>"): (None, SELF_OR_STAFF),
        ("PUT", "/v1/meets/<meet_id>/preferences/<participant_id>/<counterpart_id>"): ({"preference": "must_meet"}, SELF_OR_ORGANISER),
        ("POST", "/v1/meets/<meet_id>/requests"): ({"to_id": "unknown"}, PARTICIPANTS_OR_ORGANISER),
        ("GET", "/v1/meets/<meet_id>/requests"): (None, ANY_CALLER),
        ("POST", "/v1/requests/<request_id>/accept"): (None, PARTICIPANTS_OR_ORGANISER),
        ("POST", "/v1/requests/<request_id>/decline"): (None, PARTICIPANTS_OR_ORGANISER),
        ("GET", "/v1/meets/<meet_id>/interpreters"): (None, STAFF),
        ("PUT", "/v1/meets/<meet_id>/interpreters/<interpreter_id>"): ({"name": "Interpreter", "languages": ["en", "hi"], "availability": ["s1"]}, ORGANISERS),
        ("DELETE", "/v1/meets/<meet_id>/interpreters/<interpreter_id>"): (None, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/schedule/draft"): ({}, ORGANISERS),
        ("GET", "/v1/meets/<meet_id>/schedule/draft"): (None, STAFF),
        ("POST", "/v1/meets/<meet_id>/schedule/locks"): ({"seller_id": "s", "buyer_id": "b", "slot_id": "s1"}, ORGANISERS),
        ("DELETE", "/v1/meets/<meet_id>/schedule/locks/<seller_id>/<buyer_id>"): (None, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/schedule/publish"): (None, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/cancellations"): ({"participant_id": "owner"}, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/check-ins"): ({"participant_id": "owner"}, SELF_OR_ORGANISER),
        ("POST", "/v1/meets/<meet_id>/walk-ins"): ({"seller_id": "s", "buyer_id": "b"}, ORGANISERS),
        ("GET", "/v1/meets/<meet_id>/meetings"): (None, ANY_CALLER),
        ("GET", "/v1/meets/<meet_id>/agenda/<participant_id>"): (None, SELF_OR_STAFF),
        ("GET", "/v1/meets/<meet_id>/agenda/<participant_id>.ics"): (None, SELF_OR_STAFF),
        ("GET", "/v1/meetings/<meeting_id>"): (None, ANY_CALLER),
        ("POST", "/v1/meetings/<meeting_id>/outcome"): ({"outcome": "held"}, PARTICIPANTS_OR_ORGANISER),
        ("POST", "/v1/meetings/<meeting_id>/loi"): ({"product": "Shawls"}, PARTICIPANTS_OR_ORGANISER),
        ("POST", "/v1/meetings/<meeting_id>/loi/follow-up"): ({"status": "lapsed"}, PARTICIPANTS_OR_ORGANISER),
        ("POST", "/v1/meetings/<meeting_id>/rating"): ({"stars": 4, "wants_to_continue": True}, PARTICIPANTS),
        ("POST", "/v1/meets/<meet_id>/preferences/bulk"): ({"items": [{"participant_id": "a", "counterpart_id": "b", "preference": "must_meet"}]}, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/outcomes/bulk"): ({"items": [{"seller_id": "s", "buyer_id": "b", "outcome": "held"}]}, ORGANISERS),
        ("POST", "/v1/meets/<meet_id>/lois/bulk"): ({"items": [{"seller_id": "s", "buyer_id": "b", "product": "Shawls"}]}, ORGANISERS),
        **FRESHNESS_ROUTES,
    },
    "notifications": {
        **SERVICE_ROUTES,
        ("GET", "/v1/notifications"): (None, STAFF),
        ("POST", "/v1/notifications/<notification_id>/resend"): (None, ORGANISERS),
        ("GET", "/v1/inbox/<participant_id>"): (None, SELF_OR_STAFF),
        ("POST", "/v1/inbox/<participant_id>/<notification_id>/read"): (None, SELF_ONLY),
        ("GET", "/v1/preferences/<participant_id>"): (None, SELF_OR_STAFF),
        ("PUT", "/v1/preferences/<participant_id>"): ({"opted_out": False}, SELF_OR_ORGANISER),
        **FRESHNESS_ROUTES,
    },
}
CASES = [(service, method, rule) for service, entries in MATRIX.items() for method, rule in entries]


@pytest.fixture
def apps(app, settings_for):
    return {"registration": app, "matching": create_matching_app(settings_for("matching")), "notifications": create_notifications_app(settings_for("notifications"))}


@pytest.fixture
def world(client, db):
    meet = open_meet(client)
    owner = register(client)
    other = register(client, phone="+919833333333", gstin=None, email="other@example.in")
    return {
        "meet": meet,
        "owner": owner["id"],
        "headers": {
            "anonymous": {},
            "owner": token_for(client, db, owner["id"]),
            "other": token_for(client, db, other["id"]),
            "organiser": ORGANISER,
            "operator": OPERATOR,
        },
    }


def test_every_endpoint_is_in_the_matrix(apps):
    routes = {
        (service, method, rule.rule)
        for service, app in apps.items()
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(routes - set(CASES)) == [], "endpoints nobody said who may call: add them to MATRIX"
    assert sorted(set(CASES) - routes) == [], "MATRIX entries for endpoints that no longer exist"


def _url(rule: str, world: dict) -> str:
    """``rule`` with the world's meet and owner in it, and unknown ids for the rest."""
    known = {"meet_id": world["meet"]["id"], "participant_id": world["owner"], "path:filename": "missing.css", "channel": "gem", "hexid:job_id": "0" * 32, "hexid:participant_id": world["owner"]}
    url = rule
    while "<" in url:
        start, end = url.index("<"), url.index(">")
        url = url[:start] + known.get(url[start + 1:end], "unknown") + url[end + 1:]
    return url


def _payload(body, role: str, world: dict):
    """The body to send as ``role``: the named bodies are built from the world."""
    if body == "application":
        availability = [world["meet"]["slots"][0]["id"]]
        return {"availability": availability} if role == "other" else {"participant_id": world["owner"], "availability": availability}
    named = {"meet": MEET, "seller": {**SELLER, "phone": "+919844444444", "gstin": None}, "buyer": {**BUYER, "email": "buyer@keller.example"}}
    if isinstance(body, str):
        return named[body]
    if isinstance(body, dict) and body.get("participant_id") == "owner":
        return {**body, "participant_id": world["owner"]}
    return body


@pytest.mark.parametrize("service, method, rule", CASES, ids=[" ".join(case) for case in CASES])
def test_access_rules(apps, world, service, method, rule):
    body, expected = MATRIX[service][method, rule]
    client = apps[service].test_client()
    url = _url(rule, world)
    for role in ROLES:
        headers = {**world["headers"][role], "If-Match": '"1"'}
        if body is CSV:
            response = client.open(url, method=method, data="name,district,phone\n", content_type="text/csv", headers=headers)
        else:
            response = client.open(url, method=method, json=_payload(body, role, world), headers=headers)
        if expected[role] is ALLOWED:
            assert response.status_code not in (401, 403), (role, response.status_code, response.get_data(as_text=True)[:300])
        else:
            assert response.status_code == expected[role], (role, response.status_code, response.get_data(as_text=True)[:300])


# Contact exchange (issue 14): the two sides of a confirmed meeting see each other's business
# phone and email in the counterpart's profile and their agenda, unless that side opted out.
from dataclasses import replace  # noqa: E402

from shared.contracts import registration as registration_events  # noqa: E402
from services.registration.messages import participant_event  # noqa: E402
from tests.api.test_matching_api import buyer, matching, meet_with_people, seller  # noqa: E402,F401 (fixtures)


def _bearer(client, participant_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.application.extensions['auth'].issue(participant_id)}"}


def test_a_counterpart_s_contact_is_shown_only_after_a_confirmed_meeting_and_never_after_an_opt_out(meet_with_people):
    client, deliver, meet = meet_with_people
    as_b1 = _bearer(client, "b1")
    profile_of_s1 = f"/v1/participants/s1?meet={meet.id}"
    assert client.get(profile_of_s1, headers=as_b1).status_code == 403, "no meeting yet: not theirs to see"
    assert client.get("/v1/participants/s1", headers=as_b1).status_code == 403
    client.post(f"/v1/meets/{meet.id}/schedule/draft", json={"max_meetings_by_participant": {"b2": 1}}, headers=ORGANISER)
    client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER)
    meetings = client.get(f"/v1/meets/{meet.id}/meetings", headers=ORGANISER).get_json()["items"]
    pairs = {(m["seller_id"], m["buyer_id"]) for m in meetings if m["status"] == "scheduled"}
    assert ("s1", "b1") in pairs
    shown = client.get(profile_of_s1, headers=as_b1)
    assert shown.status_code == 200 and shown.get_json()["contact"] == {"phone": seller(1, "Srinagar").phone}
    assert "contact" not in client.get("/v1/participants/s1", headers=ORGANISER).get_json(), "staff read matching's profile without contacts"
    assert "contact" not in client.get("/v1/participants/s1", headers=_bearer(client, "s1")).get_json()
    assert b"b1@example.de" in client.get(f"/v1/meets/{meet.id}/agenda/s1", headers=_bearer(client, "s1")).data
    assert seller(1, "Srinagar").phone.encode() in client.get(f"/v1/meets/{meet.id}/agenda/b1", headers=as_b1).data
    strangers = [(s, b) for s in ("s1", "s2", "s3") for b in ("b1", "b2") if (s, b) not in pairs]
    assert strangers, "b2 meets one seller only"
    assert {client.get(f"/v1/participants/{s}?meet={meet.id}", headers=_bearer(client, b)).status_code for s, b in strangers} == {403}

    deliver(participant_event(registration_events.PARTICIPANT_UPDATED, replace(seller(1, "Srinagar"), share_contact=False, version=2)))
    private = client.get(profile_of_s1, headers=as_b1)
    assert private.status_code == 200 and "contact" not in private.get_json()
    assert seller(1, "Srinagar").phone.encode() not in client.get(f"/v1/meets/{meet.id}/agenda/b1", headers=as_b1).data
    assert b"b1@example.de" in client.get(f"/v1/meets/{meet.id}/agenda/s1", headers=_bearer(client, "s1")).data, "the other side still shares"


def test_the_opt_out_is_a_profile_setting_carried_in_the_participant_events(client, db):
    from tests.api.conftest import SELLER, outbox_events, register

    shared = register(client)
    private = register(client, phone="+919855555555", gstin=None, email="private@example.in", share_contact=False)
    assert (shared["share_contact"], private["share_contact"]) == (True, False)
    [registered] = [e for e in outbox_events(db, "participants", private["id"]) if e["type"] == registration_events.PARTICIPANT_REGISTERED]
    assert registered["data"]["share_contact"] is False
    assert SELLER.get("share_contact") is None
