import pytest

from tests.api.conftest import BUYER, ORGANISER, OPERATOR, SELLER, code_sent, outbox_events, register, token_for

pytestmark = pytest.mark.stack


def test_a_seller_registers_and_the_platform_hears_of_it(client, db):
    response = client.post("/v1/sellers", json=SELLER)
    assert response.status_code == 201
    seller = response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert seller["products"][0]["id"] and seller["products"][0]["price_band"]["min"] == "450.00"
    assert seller["contact_verified"] is False
    types = [e["type"] for e in outbox_events(db, "participants", seller["id"])]
    assert types == ["bsm.registration.participant.registered.v1", "bsm.registration.participant.verification_requested.v2"]


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"gstin": "27AAPFU0939F1ZA"}, "gstin", "check character"),
        ({"gstin": "NOT-A-GSTIN"}, "gstin", "15 characters"),
        ({"udyam": "UDYAM-12"}, "udyam", "UDYAM-JK-01-0012345"),
        ({"phone": "12345"}, "phone", "Too few digits"),
        ({"district": "Gotham"}, "district", "Not a district"),
        ({"preferred_language": "fr"}, "preferred_language", "Must be one of"),
        ({"products": [{"name": "Saffron", "category": "spices", "price_band": {"min": 10.5, "max": "20", "unit": "g"}}]}, "products", "string"),
    ],
)
def test_invalid_registrations_name_the_field(client, overrides, field, words):
    response = client.post("/v1/sellers", json={**SELLER, **overrides})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors and words in str(errors[field])


def test_the_same_phone_or_gstin_cannot_register_twice(client):
    first = register(client)
    again = client.post("/v1/sellers", json={**SELLER, "gstin": None})
    assert again.status_code == 409
    assert again.get_json()["existing_id"] == first["id"]
    by_gstin = client.post("/v1/sellers", json={**SELLER, "phone": "+919812345678"})
    assert by_gstin.status_code == 409 and "gstin" in by_gstin.get_json()["errors"]


def test_verifying_the_code_gives_a_token_for_ones_own_record_only(client, db):
    seller = register(client)
    other = register(client, phone="+919811111111", gstin=None, email="other@example.in")
    assert client.post(f"/v1/participants/{seller['id']}/verify", json={"code": "000000"}).status_code in (422,)
    mine = token_for(client, db, seller["id"])
    own = client.get(f"/v1/sellers/{seller['id']}", headers=mine).get_json()
    assert own["phone"] == "+919876543210" and own["contact_verified"] is True and own["version"] == 2
    seen_by_other = client.get(f"/v1/sellers/{other['id']}", headers=mine).get_json()
    assert "phone" not in seen_by_other and "email" not in seen_by_other and "gstin" not in seen_by_other
    assert client.patch(f"/v1/sellers/{other['id']}", json={"name": "Hijack"}, headers={**mine, "If-Match": '"1"'}).status_code == 403
    weak = client.patch(f"/v1/sellers/{seller['id']}", json={"organisation": "Dar Crafts"}, headers={**mine, "If-Match": 'W/"2"'})
    assert weak.status_code == 412 and "weak" in weak.get_json()["detail"], "RFC 9110 13.1.1: If-Match never matches a weak ETag"
    changed = client.patch(f"/v1/sellers/{seller['id']}", json={"organisation": "Dar Crafts"}, headers={**mine, "If-Match": '"2"'})
    assert changed.status_code == 200 and changed.get_json()["organisation"] == "Dar Crafts"


def test_a_code_works_once(client, db):
    seller = register(client)
    token_for(client, db, seller["id"])
    [code] = [code_sent(e) for e in outbox_events(db, "participants", seller["id"]) if "sealed_code" in e["data"]]
    again = client.post(f"/v1/participants/{seller['id']}/verify", json={"code": code})
    assert again.status_code == 422 and again.get_json()["reason"] == "no_live_code"


def test_wrong_codes_are_refused_with_a_reason_until_the_code_is_spent(client, db):
    from services.registration.actions.participants import CODE_REFUSALS, MAX_ATTEMPTS
    seller = register(client)
    [code] = [code_sent(e) for e in outbox_events(db, "participants", seller["id"]) if "sealed_code" in e["data"]]
    wrong = "000000" if code != "000000" else "111111"
    reasons = [client.post(f"/v1/participants/{seller['id']}/verify", json={"code": wrong}).get_json()["reason"] for _ in range(MAX_ATTEMPTS)]
    assert reasons == ["wrong_code"] * MAX_ATTEMPTS
    spent = client.post(f"/v1/participants/{seller['id']}/verify", json={"code": code})
    assert spent.status_code == 422 and spent.get_json()["reason"] == "too_many_wrong_codes" and "too_many_wrong_codes" in CODE_REFUSALS


def test_changing_the_phone_needs_verifying_again_and_frees_the_old_number(client, db):
    seller = register(client)
    headers = token_for(client, db, seller["id"])
    changed = client.patch(f"/v1/sellers/{seller['id']}", json={"phone": "9822222222"}, headers={**headers, "If-Match": '"2"'}).get_json()
    assert changed["phone"] == "+919822222222" and changed["contact_verified"] is False
    reused = client.post("/v1/sellers", json={**SELLER, "gstin": None})
    assert reused.status_code == 201


def test_buyers_register_with_sourcing_needs(client):
    buyer = register(client, BUYER, role="buyers")
    assert buyer["sourcing"]["required_certifications"] == ["gi_authorised_user"]
    assert client.post("/v1/buyers", json={**BUYER, "country": "IN"}).status_code == 422


def test_buyers_come_from_any_state_of_india_or_any_country(client):
    national = {**BUYER, "country": "IN", "international": False, "email": "ritu@malhotra.example", "name": "Ritu Malhotra"}
    mumbai = register(client, {**national, "state": "maharashtra", "district": "Mumbai"}, role="buyers")
    assert (mumbai["state"], mumbai["district"], mumbai["country"]) == ("Maharashtra", "Mumbai", "IN")
    assert register(client, {**national, "email": "s@k.example", "state": "IN-DL"}, role="buyers")["state"] == "Delhi"
    assert register(client, {**national, "email": "j@k.example"}, role="buyers")["state"] == "Jammu and Kashmir"
    assert register(client, {**BUYER, "email": "b@k.example"}, role="buyers")["state"] is None, "no Indian state for a German importer"
    assert register(client, {**BUYER, "email": "c@k.example", "state": "Bayern"}, role="buyers")["state"] == "Bayern"
    listed = client.get("/v1/reference/vocabularies").get_json()
    assert {"name": "Maharashtra", "code": "IN-MH"} in listed["indian_states"] and {"code": "DE", "name": "Germany"} in listed["countries"]
    for body, field in (({**national, "state": "Atlantis"}, "state"), ({**national, "district": "Mumbai"}, "district"),
                        ({**BUYER, "country": "ZZ"}, "country"), ({**BUYER, "country": "de"}, "country")):
        refused = client.post("/v1/buyers", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (body, refused.get_json())


def test_made_up_currencies_and_states_are_refused(client):
    product = {"name": "Shawl", "category": "handloom", "price_band": {"min": "100", "max": "200", "currency": "ZZZ", "unit": "piece"}}
    refused = client.post("/v1/sellers", json={**SELLER, "products": [product]})
    assert refused.status_code == 422 and "currency" in refused.get_json()["errors"]["products"]["0"]["price_band"], refused.get_json()
    euro = {**product, "price_band": {**product["price_band"], "currency": "EUR"}}
    assert client.post("/v1/sellers", json={**SELLER, "products": [euro]}).status_code == 201
    listed = client.get("/v1/buyers?country=ZZ", headers=ORGANISER)
    assert listed.status_code == 422 and "country" in listed.get_json()["errors"]
    loaded = client.put("/v1/reference/states", json={"state": "Atlantis", "districts": ["Poseidonia"]}, headers=ORGANISER)
    assert loaded.status_code == 422 and "state" in loaded.get_json()["errors"]


def test_claims_count_only_once_an_organiser_verifies_them(client, db):
    seller = register(client)
    headers = token_for(client, db, seller["id"])
    claim = client.post(f"/v1/sellers/{seller['id']}/claims", json={"kind": "gi_authorised_user", "number": "GI-AU-1234", "valid_until": "2030-01-01"}, headers=headers)
    assert claim.status_code == 201 and claim.get_json()["status"] == "pending" and claim.get_json()["reviewed_by"] is None
    claim_id = claim.get_json()["id"]
    missing = client.post(f"/v1/sellers/{seller['id']}/claims/no-such-claim/review", json={"verified": True}, headers=ORGANISER)
    assert missing.status_code == 404, "a claim the path names and the seller does not have is not found, as the document says"
    assert client.post(f"/v1/sellers/{seller['id']}/claims/{claim_id}/review", json={"verified": True}, headers=headers).status_code == 403
    reviewed = client.post(f"/v1/sellers/{seller['id']}/claims/{claim_id}/review", json={"verified": True}, headers=ORGANISER)
    assert reviewed.get_json()["status"] == "verified"
    last = outbox_events(db, "participants", seller["id"])[-1]
    assert last["data"]["verified_claims"] == [{"kind": "gi_authorised_user", "product": None, "valid_until": "2030-01-01"}]


def test_ecommerce_onboarding_is_tracked_and_reported(client):
    seller = register(client)
    response = client.put(f"/v1/sellers/{seller['id']}/ecommerce/gem", json={"status": "onboarded"}, headers=ORGANISER)
    assert response.status_code == 200 and response.get_json()["ecommerce"] == {"gem": "onboarded"}
    unknown = client.put(f"/v1/sellers/{seller['id']}/ecommerce/ebay", json={"status": "onboarded"}, headers=ORGANISER)
    assert unknown.status_code == 404 and "gem, marketplace, own_shop" in unknown.get_json()["detail"], "the path names no channel there is"
    assert client.put(f"/v1/sellers/{seller['id']}/ecommerce/gem", json={"status": "sold"}, headers=ORGANISER).status_code == 422
    assert client.get("/v1/reports/ecommerce-onboarding", headers=OPERATOR).get_json() == {"channels": {"gem": {"onboarded": 1}}}


def test_staff_list_and_filter_participants_by_page(client):
    for n, district in enumerate(["Budgam", "Budgam", "Pulwama"]):
        register(client, phone=f"+91981000000{n}", gstin=None, district=district, name=f"Seller {n}")
    page = client.get("/v1/sellers?district=Budgam&sort=name&limit=1", headers=ORGANISER).get_json()
    assert [s["name"] for s in page["items"]] == ["Seller 0"]
    more = client.get(f"/v1/sellers?district=Budgam&sort=name&limit=1&cursor={page['next_cursor']}", headers=ORGANISER).get_json()
    assert [s["name"] for s in more["items"]] == ["Seller 1"]
    assert len(client.get("/v1/sellers?category=handicraft", headers=OPERATOR).get_json()["items"]) == 3
    assert client.get("/v1/sellers").status_code == 401


def test_organisers_load_another_states_districts_and_sellers_can_then_register_there(client):
    ladakh = {**SELLER, "state": "Ladakh", "district": "leh", "gstin": None, "phone": "+919866666666"}
    assert client.post("/v1/sellers", json=ladakh).status_code == 422
    loaded = client.put("/v1/reference/states", json={"state": "Ladakh", "districts": ["Leh", "Kargil"], "odop_products": {"Leh": ["Apricot"]}}, headers=ORGANISER)
    assert loaded.status_code == 200
    client.application.extensions["registration"].reference._cached = None
    seller = client.post("/v1/sellers", json=ladakh)
    assert seller.status_code == 201 and seller.get_json()["district"] == "Leh"
    assert client.get("/v1/reference/districts?state=Ladakh").get_json()["items"] == ["Leh", "Kargil"]
    assert client.get("/v1/reference/odop-products?district=Leh").get_json()["items"] == [{"district": "Leh", "products": ["Apricot"]}]
    assert client.put("/v1/reference/states", json={"state": "X", "districts": ["A B"], "odop_products": {"Z Z": ["p"]}}, headers=ORGANISER).status_code == 422
