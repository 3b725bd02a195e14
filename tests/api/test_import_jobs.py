"""Large uploads become import jobs: 202 at once, progress on the job, the whole per-row
report at the end, and a run that died is resumed without duplicating anyone."""
import threading
from datetime import datetime, timezone

import pytest

from shared.outbox import stored_events
from services.registration.actions import import_jobs
from services.registration.store import ParticipantStore
from tests.api.conftest import ORGANISER
from tests.helpers import wait_until

pytestmark = pytest.mark.stack

HEADER = "name,district,phone,gstin,enterprise_kind,product,category\n"
GSTIN = "27AAPFU0939F1ZV"


def csv_of(rows: int, first_phone: int = 9_700_000_000) -> str:
    """``rows`` sellers; every 50th row repeats the row before it (same phone), rows 15, 55,
    95, ... are in no district, row 7 carries a GSTIN that row 8 repeats with another phone."""
    lines = []
    for n in range(1, rows + 1):
        phone = first_phone + (n - 1 if n % 50 == 0 else n)
        district = "Atlantis" if n % 40 == 15 else "Budgam"
        gstin = GSTIN if n in (7, 8) else ""
        lines.append(f"Seller {n},{district},{phone},{gstin},weaver,Kani shawl,handloom")
    return HEADER + "\n".join(lines) + "\n"


def expected_statuses(rows: int) -> list[str]:
    return ["refused" if n % 40 == 15 else "existing" if n % 50 == 0 or n == 8 else "created" for n in range(1, rows + 1)]


def upload(client, text):
    return client.post("/v1/imports/sellers", data=text, headers={**ORGANISER, "Content-Type": "text/csv"})


def finished(client, location):
    def done():
        job = client.get(location, headers=ORGANISER).get_json()
        return job if job["status"] != "running" else None

    return wait_until(done, timeout=120, interval=0.2, what="the import to finish")


def test_a_large_csv_answers_with_a_job_that_ends_with_every_rows_report(client, db):
    response = upload(client, csv_of(250))
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] == "running" and job["rows_total"] == 250 and response.headers["Location"] == f"/v1/imports/{job['id']}"
    job = finished(client, response.headers["Location"])
    assert job["status"] == "done" and job["rows_done"] == 250
    rows = job["report"]["rows"]
    assert [r["row"] for r in rows] == list(range(1, 251))
    assert [r["status"] for r in rows] == expected_statuses(250)
    assert rows[49]["participant_id"] == rows[48]["participant_id"] and rows[7]["participant_id"] == rows[6]["participant_id"]
    assert set(rows[14]["errors"]) == {"district"}
    created = expected_statuses(250).count("created")
    assert job["report"]["counts"] == job["counts"] == {"created": created, "existing": 250 - created - 6, "refused": 6}
    assert db["participants"].count_documents({}) == created

    again = finished(client, upload(client, csv_of(250)).headers["Location"])
    assert again["report"]["counts"] == {"created": 0, "existing": 250 - 6, "refused": 6}
    assert db["participants"].count_documents({}) == created


class Died(BaseException):
    """The process running the import went away (not an error the run could catch)."""


def test_an_import_whose_process_died_is_resumed_by_the_next_read_and_duplicates_nothing(client, db, monkeypatch):
    real_add = ParticipantStore.add_claimed
    calls, dead = [], threading.Event()

    def dies_after_second_chunk(store, batch):
        calls.append(len(batch))
        real_add(store, batch)
        if len(calls) == 2:
            dead.set()
            raise Died()

    monkeypatch.setattr(ParticipantStore, "add_claimed", dies_after_second_chunk)
    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    response = upload(client, csv_of(250, first_phone=9_600_000_000))
    assert response.status_code == 202
    location = response.headers["Location"]
    assert dead.wait(60)
    wait_until(lambda: not any(t.name.startswith("import-") and t.is_alive() for t in threading.enumerate()), what="the run to die")
    stalled = client.get(location, headers=ORGANISER).get_json()
    assert stalled["status"] == "running" and stalled["rows_done"] == 100
    assert db["participants"].count_documents({}) > 100  # the second chunk's sellers were written, their outcome not recorded

    db["imports"].update_one({"_id": stalled["id"]}, {"$set": {"lease_until": datetime(2000, 1, 1, tzinfo=timezone.utc)}})  # its lease ran out
    monkeypatch.setattr(ParticipantStore, "add_claimed", real_add)
    job = finished(client, location)
    assert job["status"] == "done"
    assert [r["status"] for r in job["report"]["rows"]] == expected_statuses(250)
    created = [r["participant_id"] for r in job["report"]["rows"] if r["status"] == "created"]
    assert db["participants"].count_documents({}) == len(created) == len(set(created))
    assert db["identities"].count_documents({}) == len(created) + 1  # a phone each, and row 7's GSTIN
    for participant_id in created[100:110]:
        events = stored_events(db["participants"].find_one({"_id": participant_id}))
        assert [e.type.split(".")[-2] for e in events] == ["registered"]  # no code nobody asked for


def test_a_large_field_batch_is_recorded_once_its_job_is_done(client):
    rows = [{"name": f"Field Seller {n}", "district": "Ganderbal", "phone": f"98140{n:05d}"} for n in range(150)]
    body = {"batch_id": "ganderbal-big-1", "collected_by": "JKTPO field team", "rows": rows}
    response = client.post("/v1/field-batches", json=body, headers=ORGANISER)
    assert response.status_code == 202 and response.get_json()["batch_id"] == "ganderbal-big-1"
    job = finished(client, response.headers["Location"])
    assert job["report"]["counts"] == {"created": 150, "existing": 0, "refused": 0}
    stored = client.get("/v1/field-batches/ganderbal-big-1", headers=ORGANISER).get_json()
    assert stored["uploads"] == 1 and stored["counts"] == job["report"]["counts"] and len(stored["rows"]) == 150


def test_an_import_is_shown_only_to_staff_and_to_whoever_uploaded_it(client):
    location = upload(client, csv_of(3, first_phone=9_500_000_000)).headers["Location"]
    assert client.get(location, headers=ORGANISER).status_code == 200
    assert client.get(location).status_code == 401
    missing = client.get("/v1/imports/no-such-import", headers=ORGANISER)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_a_run_that_keeps_failing_ends_as_a_failed_job_with_a_problem(client, db, monkeypatch):
    def broken(store, batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ParticipantStore, "add_claimed", broken)
    response = upload(client, csv_of(3, first_phone=9_400_000_000))
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    location = f"/v1/imports/{response.get_json()['import_id']}"
    for _ in range(import_jobs.MAX_ATTEMPTS):
        job = client.get(location, headers=ORGANISER).get_json()
        wait_until(lambda: not any(t.name.startswith("import-") and t.is_alive() for t in threading.enumerate()), what="the run to stop")
    job = client.get(location, headers=ORGANISER).get_json()
    assert job["status"] == "failed" and "disk full" in job["error"]["detail"]
