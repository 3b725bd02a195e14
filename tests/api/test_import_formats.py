"""Seller CSVs as spreadsheets save them, phones as people write them, identifiers by library."""
import pytest

from tests.api.conftest import BUYER, ORGANISER, SELLER

pytestmark = pytest.mark.stack

KANI = "name,district,phone\nZoë Café – Kani Weaves,Budgam,919876512346\n"


def upload(client, data: bytes, content_type="text/csv"):
    return client.post("/v1/imports/sellers", data=data, headers={**ORGANISER, "Content-Type": content_type})


def stored(db, report):
    [row] = report["rows"]
    assert row["status"] == "created", row
    return db["participants"].find_one({"_id": row["participant_id"]})


@pytest.mark.parametrize("content_type", ["text/csv; charset=windows-1252", "text/csv"])
def test_a_windows_1252_file_keeps_every_character_declared_or_not(client, db, content_type):
    response = upload(client, KANI.encode("cp1252"), content_type)
    assert response.status_code == 200, response.get_json()
    seller = stored(db, response.get_json())
    assert seller["name"] == "Zoë Café – Kani Weaves" and seller["phone"] == "+919876512346"


def test_utf16_with_its_mark_and_semicolons_or_tabs_are_read(client, db):
    semicolons = KANI.replace(",", ";").encode("utf-16")
    assert stored(db, upload(client, semicolons).get_json())["name"] == "Zoë Café – Kani Weaves"
    tabs = KANI.replace(",", "\t").replace("919876512346", "+91 98765 12347").replace("\n", "\r\n").encode("utf-8-sig")
    assert stored(db, upload(client, tabs).get_json())["phone"] == "+919876512347"


def test_a_file_that_cannot_be_read_is_refused_naming_the_encoding_never_stored_with_replacements(client, db):
    response = upload(client, KANI.encode("cp1252"), "text/csv; charset=utf-8")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert "utf-8" in problem["errors"]["file"][0] and "line 2" in problem["detail"]
    assert upload(client, KANI.encode("utf-8"), "text/csv; charset=rot13").status_code == 400
    wrong_columns = upload(client, "name;district;mobile\nA B;Budgam;9811000001\n".encode("utf-16"))
    detail = wrong_columns.get_json()["detail"]
    assert wrong_columns.status_code == 400 and "semicolons" in detail and "utf-16" in detail and "mobile" in detail
    assert db["participants"].count_documents({}) == 0


def test_languages_and_gi_tags_go_by_name_and_the_report_says_what_each_became(client, db):
    text = (
        "name,district,phone,preferred_language,languages,product,category,gi_tag\n"
        "Mehraj Din,Srinagar,9811000011,Kashmiri,\"کٲشُر, Hindi, हिन्दी, English\",Boxes,handicraft,Kashmir Papier Mache\n"
        "Shazia Akhter,Srinagar,9811000012,ur,Dogri,Carpet,handicraft,Kashmir Hand Knotted Carpet\n"
        "Bad Tag,Srinagar,9811000013,en,,Shoes,handicraft,Leather Shoe Mark\n"
        "Rafiq Bhat,Jammu,9811000014,,डोगरी,Ceiling,handicraft,Khatambandh\n"
    )
    report = upload(client, text.encode("utf-8")).get_json()
    first, second, third, fourth = report["rows"]
    rafiq = db["participants"].find_one({"_id": fourth["participant_id"]})
    assert (rafiq["preferred_language"], rafiq["languages"], rafiq["products"][0]["gi_tag"]) == ("doi", ["doi"], "Khatamband")
    assert (first["status"], second["status"], third["status"]) == ("created", "created", "refused")
    assert "gi_tag" in str(third["errors"])
    assert {m["field"]: (m["given"], m["canonical"]) for m in first["mapped"]} == {
        "preferred_language": ("Kashmiri", "ks"), "languages.0": ("کٲشُر", "ks"), "languages.1": ("Hindi", "hi"),
        "languages.2": ("हिन्दी", "hi"), "languages.3": ("English", "en"),
        "products.0.gi_tag": ("Kashmir Papier Mache", "Kashmir Paper Machie"),
    }
    assert {"field": "products.0.gi_tag", "given": "Kashmir Hand Knotted Carpet", "canonical": "Kashmiri Hand Knotted Carpet", "how": "name"} in second["mapped"]
    mehraj = db["participants"].find_one({"_id": first["participant_id"]})
    assert mehraj["preferred_language"] == "ks" and mehraj["languages"] == ["ks", "hi", "en"]
    assert mehraj["products"][0]["gi_tag"] == "Kashmir Paper Machie", "the registry's name, not the platform's former one"
    spellings = client.get("/v1/reference/vocabularies").get_json()["import_spellings"]
    assert "Kashmir Papier Mache" in spellings["gi_tags"]["Kashmir Paper Machie"] and "हिन्दी" in spellings["languages"]["hi"]


@pytest.mark.parametrize("phone, expected", [("919876512346", "+919876512346"), ("09876512346", "+919876512346"), ("+91 98765 12346", "+919876512346")])
def test_a_phone_as_people_and_spreadsheets_write_it_is_stored_in_e164(client, phone, expected):
    response = client.post("/v1/sellers", json={**SELLER, "gstin": None, "phone": phone})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["phone"] == expected


def test_an_international_buyer_phone_is_accepted_in_e164(client):
    response = client.post("/v1/buyers", json={**BUYER, "phone": "+1 202 555 0100"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["phone"] == "+12025550100"


@pytest.mark.parametrize("country, phone, expected", [("GB", "07911 123456", "+447911123456"), ("US", "(917) 555-0123", "+19175550123"),
                                                      ("DE", "0151 23456789", "+4915123456789")])
def test_a_foreign_buyers_phone_without_its_country_code_is_a_number_of_their_country(client, db, country, phone, expected):
    """Read in India, the first two are Indian mobiles (+917911123456, +919175550123): a
    code or a schedule sent there would reach a stranger."""
    body = {**BUYER, "country": country, "phone": phone, "email": f"buyer@{country.lower()}.example"}
    response = client.post("/v1/buyers", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["phone"] == expected
    imported = client.post("/v1/imports/buyers", headers={**ORGANISER, "Content-Type": "text/csv"},
                           data=f"name,organisation,buyer_kind,country,international,phone\nLena,Nord Home,importer,{country},yes,{phone}\n").get_json()
    assert imported["counts"] == {"created": 0, "existing": 1, "refused": 0}, imported
    bad = client.post("/v1/buyers", json={**body, "phone": "0151 2", "email": "other@example.org"})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["phone"]


BAD_IDENTIFIERS = {
    ("phone", "+999 1234567"): "country code",
    ("phone", "+91 5876543210"): "not an Indian mobile",
    ("phone", "9.19877E+11"): "format the phone column as text",
    ("gstin", "27AAPXU0939F1ZU"): "not a valid PAN",
}


@pytest.mark.parametrize("field, value, words", [(*key, words) for key, words in BAD_IDENTIFIERS.items()])
def test_a_bad_phone_or_gstin_is_a_problem_naming_the_field_and_what_is_wrong(client, field, value, words):
    response = client.post("/v1/sellers", json={**SELLER, field: value})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert words in str(response.get_json()["errors"][field])


def test_a_field_batch_takes_language_names_too_and_reports_them(client, db):
    row = {**SELLER, "gstin": None, "phone": "919811000021", "preferred_language": "हिन्दी", "languages": ["Kashmiri", "Urdu"]}
    response = client.post("/v1/field-batches", json={"batch_id": "names-1", "collected_by": "field team", "rows": [row]}, headers=ORGANISER)
    [outcome] = response.get_json()["rows"]
    assert outcome["status"] == "created" and [m["canonical"] for m in outcome["mapped"]] == ["hi", "ks", "ur"]
    seller = db["participants"].find_one({"_id": outcome["participant_id"]})
    assert (seller["phone"], seller["preferred_language"], seller["languages"]) == ("+919811000021", "hi", ["ks", "ur"])
