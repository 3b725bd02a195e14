"""Geographical Indication tags of Jammu and Kashmir, by the names India's GI Registry
(Chennai) registered them under, and what became of the names the platform used before.

Every service and every event names a GI tag by its registry name. The platform once used
its own spellings for four of them (``RENAMED``); those may still be stored in a database
written before the switch, or held in events still in Kafka. They are read as the registry
name wherever a record is read (``with_registry_names``: the event contracts, registration's
and matching's stores), and each service rewrites its stored records once at start
(``rename_stored_once``), so one GI is never counted under two names. Imports also take the
old names, as aliases (``services/registration/domain/vocabularies.py``).

Sources: the Registry's certificates and the announcements of the J&K government and the
proprietor societies (``Kashmir Paper Machie``, application 181; ``Kashmiri Hand Knotted
Carpet``; ``Rajouri Chikri Wood Craft``, ``Ramban Sulai Honey``, ``Udhampur Kalari``, 2023).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from pymongo.database import Database

GI_TAGS = (
    "Kashmir Pashmina", "Kashmir Sozani Craft", "Kani Shawl", "Kashmiri Hand Knotted Carpet",
    "Kashmir Paper Machie", "Kashmir Walnut Wood Carving", "Khatamband", "Kashmir Saffron",
    "Basohli Painting", "Basohli Pashmina", "Bhaderwah Rajmash", "Ramban Anardana",
    "Mushqbudji Rice", "Udhampur Kalari", "Ramban Sulai Honey", "Rajouri Chikri Wood Craft",
)

RENAMED = {
    "Kashmir Papier Mache": "Kashmir Paper Machie",
    "Chikri Wood Craft": "Rajouri Chikri Wood Craft",
    "Sulai Honey": "Ramban Sulai Honey",
    "Kalari": "Udhampur Kalari",
}
"""A name the platform used before -> the registry's name of the same GI."""

MARKER_ID = "gi_registry_names"


def registry_name(tag: Any) -> Any:
    """The registry's name for ``tag`` if it is a name the platform used before; anything
    else (a registry name, an unknown value, None) as it is."""
    return RENAMED.get(tag, tag) if isinstance(tag, str) else tag


def registry_names(tags: Iterable[Any]) -> list[Any]:
    """``tags`` by their registry names, each once, in the order first given."""
    renamed: list[Any] = []
    for tag in tags:
        if registry_name(tag) not in renamed:
            renamed.append(registry_name(tag))
    return renamed


def with_registry_names(record: dict[str, Any]) -> dict[str, Any]:
    """A participant record (event data, registration's or matching's document) with the GI
    tags of its ``products`` (``gi_tag``) and ``sourcing`` (``gi_tags``) by their registry
    names; the record itself when nothing needs renaming."""
    products, sourcing = record.get("products"), record.get("sourcing")
    renamed = dict(record)
    if isinstance(products, list) and any(isinstance(p, dict) and p.get("gi_tag") in RENAMED for p in products):
        renamed["products"] = [{**p, "gi_tag": registry_name(p["gi_tag"])} if isinstance(p, dict) and "gi_tag" in p else p for p in products]
    if isinstance(sourcing, dict) and isinstance(sourcing.get("gi_tags"), list) and any(t in RENAMED for t in sourcing["gi_tags"] if isinstance(t, str)):
        renamed["sourcing"] = {**sourcing, "gi_tags": registry_names(sourcing["gi_tags"])}
    return renamed if renamed != record else record


def rename_stored(db: Database, collection: str) -> int:
    """Rewrite every document of ``collection`` (participant records) that names a GI tag
    by a name the platform used before, one ``update_one`` by ``_id`` each, touching only
    ``products`` and ``sourcing``. Idempotent; returns how many documents were rewritten."""
    old = sorted(RENAMED)
    query = {"$or": [{"products.gi_tag": {"$in": old}}, {"sourcing.gi_tags": {"$in": old}}]}
    rewritten = 0
    for doc in db[collection].find(query, {"products": 1, "sourcing": 1}):
        changed = {k: v for k, v in with_registry_names(doc).items() if v != doc.get(k)}
        if changed:
            db[collection].update_one({"_id": doc["_id"]}, {"$set": changed})
            rewritten += 1
    return rewritten


def rename_stored_once(db: Database, collection: str, markers: str) -> int:
    """``rename_stored`` once per database: the scan of the whole collection is skipped
    when the marker ``<markers>/gi_registry_names`` says it was done. Records written
    later by a process of the earlier version are still read by their registry names
    (``with_registry_names``) and rewritten by their next save. Returns how many
    documents were rewritten (0 when skipped)."""
    if db[markers].find_one({"_id": MARKER_ID}):
        return 0
    rewritten = rename_stored(db, collection)
    db[markers].update_one({"_id": MARKER_ID}, {"$set": {"at": datetime.now(timezone.utc), "rewritten": rewritten}}, upsert=True)
    return rewritten
