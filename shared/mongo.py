"""MongoDB access made one way: a client per process, created after fork, never at import."""
from __future__ import annotations

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from shared.config import Settings


def connect(settings: Settings) -> Database:
    """Timeouts given in the URI win over these defaults (pymongo's keyword arguments would
    otherwise override the URI)."""
    uri = settings.mongodb_uri.lower()
    timeouts = {
        name: value
        for name, value in (("serverSelectionTimeoutMS", 5000), ("connectTimeoutMS", 3000))
        if name.lower() + "=" not in uri
    }
    client: MongoClient = MongoClient(settings.mongodb_uri, tz_aware=True, appname=settings.service, **timeouts)
    return client[settings.database_name]


def mongo_reachable(db: Database) -> bool:
    try:
        db.command("ping")
        return True
    except PyMongoError:
        return False
