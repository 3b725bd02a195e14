"""Who may do what: every protected endpoint against every kind of caller.

``owner`` is the participant the URL is about; ``other`` is another participant.
A status in the table means the access rule let the request through (or refused it);
what the request then does is tested elsewhere.
"""
import pytest

from tests.api.conftest import OPERATOR, ORGANISER, SELLER, open_meet, register, token_for

pytestmark = pytest.mark.stack

ROLES = ("anonymous", "other", "owner", "organiser", "operator")
ALLOWED = object()  # anything but 401/403

MATRIX = [
    # method, path, body, {role: expected}
    ("POST", "/v1/meets", "meet", {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
    ("PATCH", "/v1/meets/{meet}", {"tables": 3}, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
    ("POST", "/v1/meets/{meet}/status", {"status": "registration_closed"}, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
    ("GET", "/v1/meets/{meet}", None, {r: ALLOWED for r in ROLES}),
    ("GET", "/v1/sellers", None, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": ALLOWED}),
    ("GET", "/v1/sellers/{owner}", None, {"anonymous": 401, "other": ALLOWED, "owner": ALLOWED, "organiser": ALLOWED, "operator": ALLOWED}),
    ("PATCH", "/v1/sellers/{owner}", {"organisation": "X"}, {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": ALLOWED, "operator": 403}),
    ("POST", "/v1/sellers/{owner}/claims", {"kind": "organic", "number": "ORG-1"}, {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": ALLOWED, "operator": 403}),
    ("POST", "/v1/sellers/{owner}/claims/x/review", {"verified": True}, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
    ("PUT", "/v1/sellers/{owner}/ecommerce/gem", {"status": "in_progress"}, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
    ("GET", "/v1/reports/ecommerce-onboarding", None, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": ALLOWED}),
    ("POST", "/v1/meets/{meet}/applications", "application", {"anonymous": 401, "other": ALLOWED, "owner": ALLOWED, "organiser": ALLOWED, "operator": 403}),
    ("GET", "/v1/meets/{meet}/applications", None, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": ALLOWED}),
    ("GET", "/v1/meets/{meet}/applications/{owner}", None, {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": ALLOWED, "operator": ALLOWED}),
    ("POST", "/v1/meets/{meet}/applications/{owner}/decision", {"decision": "waitlist"}, {"anonymous": 401, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
    ("POST", "/v1/meets/{meet}/applications/{owner}/withdrawal", {}, {"anonymous": 401, "other": 403, "owner": ALLOWED, "organiser": ALLOWED, "operator": 403}),
    ("POST", "/v1/sellers", "seller", {"anonymous": ALLOWED, "other": 403, "owner": 403, "organiser": ALLOWED, "operator": 403}),
]


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


@pytest.mark.parametrize("method, path, body, expected", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_access_rules(client, world, method, path, body, expected):
    from tests.api.conftest import MEET

    url = path.format(meet=world["meet"]["id"], owner=world["owner"])
    for role in ROLES:
        payload = {
            "meet": MEET,
            "seller": {**SELLER, "phone": "+919844444444", "gstin": None},
            "application": {"participant_id": world["owner"], "availability": [world["meet"]["slots"][0]["id"]]},
        }.get(body, body) if isinstance(body, str) else body
        if body == "application" and role == "other":
            payload = {"availability": payload["availability"]}
        headers = {**world["headers"][role], "If-Match": '"1"'}
        response = client.open(url, method=method, json=payload, headers=headers)
        if expected[role] is ALLOWED:
            assert response.status_code not in (401, 403), (role, response.status_code, response.get_json())
        else:
            assert response.status_code == expected[role], (role, response.status_code, response.get_json())
