"""Sellers an organiser imports are not sent a verification code they never asked for; each
gets one when they ask, and signs in with it. Self-registration still sends one at once."""
import pytest

from shared.contracts.registration import VERIFICATION_REQUESTED
from tests.api.conftest import ORGANISER, outbox_events, register, token_for

pytestmark = pytest.mark.stack

CSV = "name,district,phone\nHaleema Bano,Budgam,9811000101\nMohammad Yousuf,Pulwama,9811000102\n"


def _codes(db, participant_id: str) -> list[dict]:
    return [e for e in outbox_events(db, "participants", participant_id) if e["type"] == VERIFICATION_REQUESTED]


def test_imported_sellers_get_a_code_only_when_they_ask(client, db):
    report = client.post("/v1/imports/sellers", data=CSV, headers={**ORGANISER, "Content-Type": "text/csv"}).get_json()
    created = [row["participant_id"] for row in report["rows"] if row["status"] == "created"]
    assert len(created) == 2
    assert [_codes(db, participant_id) for participant_id in created] == [[], []]
    assert "_code" not in db["participants"].find_one({"_id": created[0]})

    asked = client.post(f"/v1/participants/{created[0]}/verification-code", json={"channel": "sms"})
    assert asked.status_code == 202, asked.get_json()
    assert len(_codes(db, created[0])) == 1 and _codes(db, created[1]) == []
    assert client.get(f"/v1/sellers/{created[0]}", headers=token_for(client, db, created[0])).status_code == 200


def test_a_seller_who_registers_themselves_is_sent_a_code_at_once(client, db):
    seller = register(client, phone="+919811000103", gstin=None)
    assert len(_codes(db, seller["id"])) == 1
