"""Safe retries of POST requests with an ``Idempotency-Key`` header.

The first request with a key claims it (a unique insert) and stores its response when it
finishes; a retry with the same key and body gets that response again instead of a
second effect. The same key with a different body is refused, and a retry that arrives
while the first is still running gets 409. A request that fails with an error releases
its key, so the client may retry it; a key left claimed by a request that cannot still be
running (its process died, or the database was away when it tried to release it) is taken
over by a retry once it is ``STALE_AFTER`` old (longer than any request may run).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "idempotency_keys"
IN_PROGRESS, DONE = "in_progress", "done"
STALE_AFTER = timedelta(seconds=35)  # past a request's longest database budget (25 s) and gunicorn's 30 s timeout


class KeyReused(Exception):
    """The key was used before with a different request."""


class StillRunning(Exception):
    """The first request with this key has not finished yet."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any
    headers: dict[str, str]


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def canonical_body(body: bytes, is_json: bool) -> bytes:
    """The body a retry is compared by: a JSON body in one canonical form (keys sorted, no
    spaces; RFC 8259 gives an object's members no order), so the same request serialised
    by another client library or run is the same request; any other body as it is (and a
    JSON body that does not parse, which the view refuses anyway)."""
    if not is_json:
        return body
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        return body


class IdempotencyStore:
    def __init__(self, db: Database):
        self.collection = db[COLLECTION]

    def claim(self, key: str, print_: str, *also: str) -> StoredResponse | None:
        """Claim ``key`` for a new request (None), or return the response it already got.
        ``print_`` is stored; a stored fingerprint equal to it or to one of ``also`` (the
        same request printed as an earlier version printed it) is the same request."""
        try:
            self.collection.insert_one({"_id": key, "fingerprint": print_, "state": IN_PROGRESS, "created_at": _now()})
            return None
        except DuplicateKeyError:
            pass
        existing = self.collection.find_one({"_id": key}) or {}
        if existing.get("fingerprint") not in (print_, *also):
            raise KeyReused()
        if existing.get("state") != DONE:
            if self._take_over_stale(key, existing):
                return None
            raise StillRunning()
        return StoredResponse(existing["status"], existing["body"], existing.get("headers", {}))

    def _take_over_stale(self, key: str, existing: dict[str, Any]) -> bool:
        claimed_at = existing.get("created_at")
        if claimed_at is None or _now() - claimed_at.replace(tzinfo=claimed_at.tzinfo or timezone.utc) < STALE_AFTER:
            return False
        taken = self.collection.update_one({"_id": key, "state": IN_PROGRESS, "created_at": claimed_at}, {"$set": {"created_at": _now()}})
        return taken.modified_count == 1

    def finish(self, key: str, response: StoredResponse) -> None:
        self.collection.update_one(
            {"_id": key},
            {"$set": {"state": DONE, "status": response.status, "body": response.body, "headers": response.headers, "finished_at": _now()}},
        )

    def release(self, key: str) -> None:
        self.collection.delete_one({"_id": key, "state": IN_PROGRESS})


def _now() -> datetime:
    return datetime.now(timezone.utc)
