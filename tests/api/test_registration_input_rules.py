"""What a user trial of registration let through, refused with a 422 problem naming the
field (and, in imports, the row): destination markets that are no country, Udyam numbers of
no state, registration closing after the meet."""
import pytest

from tests.api.conftest import BUYER, MEET, ORGANISER, SELLER, register

pytestmark = pytest.mark.stack

CSV = {**ORGANISER, "Content-Type": "text/csv"}


def problem(response, status=422) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.get_json()["errors"]


def test_destination_markets_that_are_no_country_code_are_refused_naming_the_field(client, db):
    errors = problem(client.post("/v1/buyers", json={**BUYER, "sourcing": {"destination_markets": ["ZZ", "XX", "de"]}}))
    assert set(errors["sourcing"]["destination_markets"]) == {"0", "1", "2"}
    assert db["participants"].count_documents({}) == 0
    buyer = register(client, BUYER, role="buyers", sourcing={"destination_markets": ["DE", "AE"]})
    assert buyer["sourcing"]["destination_markets"] == ["DE", "AE"]


def test_a_buyers_csv_maps_destination_markets_as_it_maps_countries_and_refuses_unknown_ones_by_row(client, db):
    csv = ("name,organisation,buyer_kind,country,email,destination_markets\n"
           "Lena Vogt,Vogt Handel,wholesaler,DE,lena@vogt.example,de;Austria\n"
           "Marco Bassi,Bassi Casa,retail_brand,IT,marco@bassi.example,DE;ZZ\n")
    report = client.post("/v1/imports/buyers", data=csv, headers=CSV).get_json()
    assert [row["status"] for row in report["rows"]] == ["created", "refused"], report
    assert "destination_markets" in report["rows"][1]["errors"]["sourcing"]
    lena = db["participants"].find_one({"_id": report["rows"][0]["participant_id"]})
    assert lena["sourcing"]["destination_markets"] == ["DE", "AT"]
    taken = {m["field"]: m["canonical"] for m in report["rows"][0]["mapped"]}
    assert (taken["sourcing.destination_markets.0"], taken["sourcing.destination_markets.1"]) == ("DE", "AT")


@pytest.mark.parametrize("udyam", ["UDYAM-XX-00-0000000", "UDYAM-ZZ-99-9999999"])
def test_udyam_numbers_of_no_state_are_refused_naming_the_field(client, udyam):
    errors = problem(client.post("/v1/sellers", json={**SELLER, "udyam": udyam}))
    assert "not the code of a state" in errors["udyam"][0]
    assert register(client, udyam="UDYAM-JK-01-0012345")["udyam"] == "UDYAM-JK-01-0012345"


def test_registration_closing_after_the_meets_last_day_is_refused_on_create_and_edit(client):
    late = {**MEET, "registration_closes": "2027-08-01T10:00:00+05:30"}
    assert "registration_closes" in problem(client.post("/v1/meets", json=late, headers=ORGANISER))
    meet = client.post("/v1/meets", json={**MEET, "registration_closes": "2027-07-30T09:00:00+05:30"}, headers=ORGANISER)
    assert meet.status_code == 201, meet.get_json()
    edit = client.patch(f"/v1/meets/{meet.get_json()['id']}", json={"registration_closes": "2027-07-31T00:30:00+05:30"},
                        headers={**ORGANISER, "If-Match": '"1"'})
    assert "registration_closes" in problem(edit)
