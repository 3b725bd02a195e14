import pytest

from tests.api.conftest import ORGANISER, SELLER, register, token_for

pytestmark = pytest.mark.stack

CSV = """name,district,phone,enterprise_kind,product,category,gi_tag,monthly_capacity,capacity_unit,price_min,price_max,price_unit,export_ready
Haleema Bano,Budgam,9811000001,weaver,Kani shawl,handloom,Kani Shawl,20,piece,15000,90000,piece,yes
Mohammad Yousuf,Pulwama,9811000002,farmer,Saffron,spices,Kashmir Saffron,5,kg,180000,250000,kg,no
Bad Row,Atlantis,12,artisan,,,,,,,,,
Haleema Bano again,Budgam,+91 98110 00001,weaver,,,,,,,,,
"""


def upload(client, text, headers=ORGANISER):
    return client.post("/v1/imports/sellers", data=text, headers={**headers, "Content-Type": "text/csv"})


def test_a_csv_import_reports_each_row_and_never_duplicates(client, db):
    response = upload(client, CSV)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["counts"] == {"created": 2, "existing": 1, "refused": 1}
    statuses = [(r["row"], r["status"]) for r in report["rows"]]
    assert statuses == [(1, "created"), (2, "created"), (3, "refused"), (4, "existing")]
    refused = report["rows"][2]["errors"]
    assert set(refused) == {"district", "phone"}
    assert report["rows"][3]["participant_id"] == report["rows"][0]["participant_id"]
    saffron = db["participants"].find_one({"_id": report["rows"][1]["participant_id"]})
    assert saffron["products"][0]["price_band"] == {"min": "180000.00", "max": "250000.00", "currency": "INR", "unit": "kg"}
    again = upload(client, CSV).get_json()
    assert again["counts"] == {"created": 0, "existing": 3, "refused": 1}
    assert db["participants"].count_documents({}) == 2


def test_a_file_with_unknown_columns_imports_nothing(client, db):
    response = upload(client, "name,district,phone,shoe_size\nA B,Budgam,9811000009,42\n")
    assert response.status_code == 400 and "shoe_size" in response.get_json()["detail"]
    assert db["participants"].count_documents({}) == 0


def test_only_organisers_and_aggregators_import(client, db):
    artisan = register(client)
    assert upload(client, CSV, token_for(client, db, artisan["id"])).status_code == 403
    aggregator = register(client, phone="+919855555555", gstin=None, email=None, enterprise_kind="aggregator")
    assert upload(client, CSV, token_for(client, db, aggregator["id"])).status_code == 200
    assert upload(client, CSV, {}).status_code == 401


def test_field_batches_uploaded_twice_or_overlapping_make_no_duplicates(client, db):
    rows = [{**SELLER, "gstin": None, "phone": f"98120000{n:02d}", "name": f"Field Seller {n}"} for n in range(4)]
    first = client.post("/v1/field-batches", json={"batch_id": "ganderbal-2027-07-01", "collected_by": "JKTPO field team", "rows": rows[:3]}, headers=ORGANISER)
    assert first.get_json()["counts"] == {"created": 3, "existing": 0, "refused": 0}
    same = client.post("/v1/field-batches", json={"batch_id": "ganderbal-2027-07-01", "collected_by": "JKTPO field team", "rows": rows[:3]}, headers=ORGANISER)
    assert same.get_json()["counts"] == {"created": 0, "existing": 3, "refused": 0}
    overlap = client.post("/v1/field-batches", json={"batch_id": "ganderbal-2027-07-02", "collected_by": "JKTPO field team", "rows": rows[2:]}, headers=ORGANISER)
    assert overlap.get_json()["counts"] == {"created": 1, "existing": 1, "refused": 0}
    assert db["participants"].count_documents({}) == 4
    stored = client.get("/v1/field-batches/ganderbal-2027-07-01", headers=ORGANISER).get_json()
    assert stored["uploads"] == 2 and stored["counts"]["existing"] == 3


def test_rows_with_keys_no_store_could_take_are_refused_not_crashed(client):
    rows = [{**SELLER, "gstin": None, "phone": "9813000001", "a.b": 1, "$x\x00": 2}]
    response = client.post("/v1/field-batches", json={"batch_id": "odd-keys-1", "collected_by": "team", "rows": rows}, headers=ORGANISER)
    assert response.status_code == 200
    [row] = response.get_json()["rows"]
    assert row["status"] == "refused" and set(row["errors"]) == {"a_b", "x"}
