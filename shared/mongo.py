"""MongoDB access made one way: a client per process, created after fork, never at import."""
from __future__ import annotations

import pymongo
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from shared.config import Settings


REQUEST_BOUND_SECONDS = 1.5


def connect(settings: Settings) -> Database:
    """The service's database for background processes (consumers, relays, dispatcher),
    which may wait for a busy database. Timeouts given in the URI win over these defaults
    (pymongo's keyword arguments would otherwise override the URI)."""
    return _connect(settings, {"serverSelectionTimeoutMS": 5000, "connectTimeoutMS": 3000})


def connect_for_requests(settings: Settings) -> Database:
    """The service's database for an HTTP API, where no operation may wait longer than
    ``BSM_REQUEST_DB_SECONDS`` (default 1.5 s): finding the server, connecting, getting a
    pooled connection and each reply. Past it pymongo raises a ``PyMongoError``, which the
    API answers with 503 and Retry-After (shared/http.py) instead of leaving the client
    hanging while the database works through a backlog."""
    bound_ms = int(float(settings.extra.get("BSM_REQUEST_DB_SECONDS", REQUEST_BOUND_SECONDS)) * 1000)
    return _connect(settings, {name: bound_ms for name in ("serverSelectionTimeoutMS", "connectTimeoutMS", "socketTimeoutMS", "waitQueueTimeoutMS")})


def _connect(settings: Settings, defaults: dict[str, int]) -> Database:
    uri = settings.mongodb_uri.lower()
    timeouts = {name: value for name, value in defaults.items() if name.lower() + "=" not in uri}
    client: MongoClient = MongoClient(settings.mongodb_uri, tz_aware=True, appname=settings.service, **timeouts)
    return client[settings.database_name]


def mongo_reachable(db: Database, within: float = 0.4) -> bool:
    """True if the server answers a ping within ``within`` seconds (a readiness probe must
    answer quickly whatever the database is doing)."""
    try:
        with pymongo.timeout(within):
            db.command("ping")
        return True
    except PyMongoError:
        return False
