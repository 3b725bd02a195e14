"""Import jobs: their state, their source and their per-row results, each read by ``_id``.

``imports``: one document per job (status, progress, counts, who holds its lease);
``import_sources``: the uploaded text, read when a run starts; ``import_results``: one
document per finished chunk of rows (``<job>:<chunk>``), inserted once, so a chunk done
twice (a run resumed after a crash) keeps its first outcome. Progress moves with a
conditional update on ``chunks_done``, so it counts each chunk once.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

JOBS, SOURCES, RESULTS, BATCHES = "imports", "import_sources", "import_results", "field_batches"
RUNNING, DONE, FAILED = "running", "done", "failed"


class ImportStore:
    def __init__(self, db: Database):
        self.db = db

    def create(self, job: dict[str, Any], source: str) -> None:
        """Store a new job (``job["_id"]`` set, lease held by its creator) and its source."""
        self.db[SOURCES].insert_one({"_id": job["_id"], "text": source})
        self.db[JOBS].insert_one(job)

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.db[JOBS].find_one({"_id": job_id})

    def source(self, job_id: str) -> str:
        return self.db[SOURCES].find_one({"_id": job_id})["text"]

    def take_over(self, job_id: str, holder: str, lease: timedelta) -> bool:
        """Take the lease of a running job whose holder stopped renewing it; True if taken."""
        now = _now()
        result = self.db[JOBS].update_one(
            {"_id": job_id, "status": RUNNING, "lease_until": {"$lt": now}},
            {"$set": {"holder": holder, "lease_until": now + lease}, "$inc": {"attempts": 1}},
        )
        return result.modified_count == 1

    def record_chunk(self, job_id: str, chunk: int, outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep a chunk's outcomes; if it was recorded before, the first record wins and is returned."""
        try:
            self.db[RESULTS].insert_one({"_id": _chunk_id(job_id, chunk), "rows": outcomes})
            return outcomes
        except DuplicateKeyError:
            return self.db[RESULTS].find_one({"_id": _chunk_id(job_id, chunk)})["rows"]

    def advance(self, job_id: str, chunk: int, rows_done: int, counts: dict[str, int], holder: str, lease: timedelta) -> bool:
        """Count chunk ``chunk`` as done and renew the lease; False if it was counted already."""
        now = _now()
        result = self.db[JOBS].update_one(
            {"_id": job_id, "chunks_done": chunk},
            {
                "$set": {"chunks_done": chunk + 1, "rows_done": rows_done, "holder": holder, "lease_until": now + lease, "updated_at": now},
                "$inc": {f"counts.{status}": n for status, n in counts.items()},
            },
        )
        return result.modified_count == 1

    def finish(self, job_id: str, status: str = DONE, error: dict[str, Any] | None = None) -> None:
        now = _now()
        self.db[JOBS].update_one({"_id": job_id, "status": RUNNING}, {"$set": {"status": status, "finished_at": now, "updated_at": now, "error": error}})

    def let_go(self, job_id: str, holder: str, error: dict[str, Any]) -> None:
        """Give up the lease after a failed run, so the next look at the job resumes it."""
        self.db[JOBS].update_one({"_id": job_id, "holder": holder}, {"$set": {"lease_until": _now(), "error": error}})

    def results(self, job_id: str, chunks: int) -> list[dict[str, Any]]:
        """Every row's outcome, in row order."""
        rows: list[dict[str, Any]] = []
        for chunk in range(chunks):
            rows.extend(self.db[RESULTS].find_one({"_id": _chunk_id(job_id, chunk)})["rows"])
        return rows

    def record_batch(self, batch_id: str, job_id: str, fields: dict[str, Any]) -> None:
        """The field batch's latest report; its upload count goes up once per job."""
        try:
            self.db[BATCHES].update_one(
                {"_id": batch_id, "last_job": {"$ne": job_id}},
                {"$set": {**fields, "last_job": job_id, "uploaded_at": _now()}, "$inc": {"uploads": 1}},
                upsert=True,
            )
        except DuplicateKeyError:
            pass  # this job recorded it already

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        return self.db[BATCHES].find_one({"_id": batch_id}, {"last_job": 0})


def _chunk_id(job_id: str, chunk: int) -> str:
    return f"{job_id}:{chunk:05d}"


def _now() -> datetime:
    return datetime.now(timezone.utc)
