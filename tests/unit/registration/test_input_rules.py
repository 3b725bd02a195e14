"""Registration's input rules found wanting in a user trial: destination markets that are
no country, Udyam numbers of no state, registration closing after the meet."""
from datetime import date, datetime, time, timezone

import pycountry
import pytest
from marshmallow import ValidationError

from services.registration.domain.errors import DomainError
from services.registration.domain.identifiers import FORMER_STATE_CODES, normalise_udyam
from services.registration.domain.meets import Meet
from services.registration.domain.vocabularies import canonical_row
from services.registration.schemas import BuyerIn, SellerIn
from tests.api.conftest import BUYER, SELLER


def refused(schema, body) -> dict:
    with pytest.raises(ValidationError) as error:
        schema.load(body)
    return error.value.messages


@pytest.mark.parametrize("markets, index", [(["ZZ"], 0), (["DE", "XX"], 1), (["de"], 0), (["Germany"], 0), (["DEU"], 0)])
def test_destination_markets_are_iso_3166_alpha_2_codes_in_capitals_as_country_is(markets, index):
    errors = refused(BuyerIn(), {**BUYER, "sourcing": {"destination_markets": markets}})
    assert index in errors["sourcing"]["destination_markets"]
    assert "country" in refused(BuyerIn(), {**BUYER, "country": "de"}), "the country field treats case alike"
    assert BuyerIn().load({**BUYER, "sourcing": {"destination_markets": ["DE", "AE", "US"]}})["sourcing"]["destination_markets"] == ["DE", "AE", "US"]


def test_an_import_row_takes_destination_markets_by_code_or_name_and_says_so_leaving_unknown_ones_to_be_refused():
    row, mapped = canonical_row({**BUYER, "sourcing": {"destination_markets": ["de", "United Arab Emirates", "AT", "ZZ"]}})
    assert row["sourcing"]["destination_markets"] == ["DE", "AE", "AT", "ZZ"]
    assert {m["field"]: m["canonical"] for m in mapped} == {"sourcing.destination_markets.0": "DE", "sourcing.destination_markets.1": "AE"}
    assert 3 in refused(BuyerIn(), row)["sourcing"]["destination_markets"]


@pytest.mark.parametrize("code", sorted({s.code[3:] for s in pycountry.subdivisions.get(country_code="IN")} | set(FORMER_STATE_CODES)))
def test_udyam_numbers_of_every_state_and_union_territory_pass(code):
    assert normalise_udyam(f"udyam-{code.lower()}-01-0012345") == f"UDYAM-{code}-01-0012345"


@pytest.mark.parametrize("bad", ["UDYAM-XX-00-0000000", "UDYAM-ZZ-99-9999999", "UDYAM-IN-01-0012345", "UDYAM-AA-01-0012345"])
def test_udyam_numbers_naming_no_state_are_refused(bad):
    with pytest.raises(ValueError, match=f"{bad[6:8]} is not the code of a state"):
        normalise_udyam(bad)
    assert "udyam" in refused(SellerIn(), {**SELLER, "udyam": bad})


def meet(**overrides) -> Meet:
    values = dict(name="BSM", venue="SKICC", city="Srinagar", days=[date(2027, 7, 30), date(2027, 7, 31)],
                  session_start=time(10), session_end=time(12), meeting_minutes=25, tables=10, capacity_sellers=40, capacity_buyers=15)
    return Meet(**{**values, **overrides})


@pytest.mark.parametrize("field, moment", [
    ("registration_closes", datetime(2027, 8, 2, tzinfo=timezone.utc)),
    ("registration_closes", datetime(2027, 7, 31, 19, tzinfo=timezone.utc)),  # 00:30 on 1 August in Srinagar
    ("registration_opens", datetime(2027, 8, 1, 6, tzinfo=timezone.utc)),
])
def test_registration_cannot_open_or_close_after_the_meets_last_day_at_the_venue(field, moment):
    with pytest.raises(DomainError, match="last day") as error:
        meet(**{field: moment}).check()
    assert error.value.field == field


def test_registration_may_close_on_the_last_day_itself():
    meet(registration_closes=datetime(2027, 7, 31, 18, tzinfo=timezone.utc)).check()  # 23:30 in Srinagar
    meet(registration_opens=datetime(2027, 7, 1, tzinfo=timezone.utc), registration_closes=datetime(2027, 7, 30, 4, tzinfo=timezone.utc)).check()
