"""Drafting and publishing a national-size meet's schedule: 3,000 sellers x 300 buyers.

Matching's read model (profiles, the meet, approved participations, the roster) is
written straight into its database with ``insert_many`` (not timed). Then the matching
app's own views are called in-process through Flask's test client (the HTTP path minus
gunicorn): ``POST /v1/meets/<m>/schedule/draft`` and ``.../schedule/publish``; that time is
the figure (target: under 20 s). Baseline, same run, same server: a bare ``insert_many``
of as many meeting documents as were published, into a scratch collection. The outbox
relay then drains what the publication wrote (reported, not part of the figure).
"""
from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import date, datetime, timedelta

from shared.config import load_settings
from shared.contracts import matching as catalogue
from shared.kafka_io import ensure_topics, make_producer, send_event_async
from shared.mongo import connect
from shared.outbox import OutboxRelay, pending_count

from services.matching.app import create_app
from services.matching.meetings_store import field_key
from services.matching.store import OUTBOX_COLLECTIONS, roster_part

SELLERS, BUYERS, DAYS, SLOTS_PER_DAY, TABLES = 3000, 300, 2, 24, 300
ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
CATEGORIES = ("handloom", "handicraft", "spices", "food", "textiles", "carpets")
DISTRICTS = ("Srinagar", "Budgam", "Pulwama", "Anantnag", "Baramulla", "Kupwara", "Leh", "Kargil", "Jammu", "Kathua")


def _slots() -> list[dict]:
    first = date(2027, 7, 30)
    slots = []
    for day in range(DAYS):
        for n in range(SLOTS_PER_DAY):
            start = datetime(2027, 1, 1, 9) + timedelta(minutes=20 * n)
            slots.append({"id": f"d{day}s{n:02d}", "day": (first + timedelta(days=day)).isoformat(), "start": start.strftime("%H:%M"),
                          "end": (start + timedelta(minutes=20)).strftime("%H:%M")})
    return slots


def _profile(rng: random.Random, n: int, role: str) -> dict:
    base = {"_id": f"{role[0]}{n}", "role": role, "name": f"{role.title()} {n}", "organisation": f"{role.title()} Org {n}", "version": 1,
            "state": None, "enterprise_kind": None, "buyer_kind": None, "verified_claims": [], "products": [], "sourcing": {}}
    if role == "seller":
        category = rng.choice(CATEGORIES)
        product = {"name": f"{category} goods", "category": category, "gi_tag": "Kashmir Pashmina" if rng.random() < 0.2 else None,
                   "export_ready": rng.random() < 0.5, "monthly_capacity": {"value": str(rng.randint(50, 500)), "unit": "piece"},
                   "price_band": {"min": str(rng.randint(100, 500)), "max": str(rng.randint(600, 3000)), "currency": "INR", "unit": "piece"}}
        return {**base, "country": "IN", "preferred_language": "hi", "languages": rng.sample(["hi", "en", "ks", "ur"], 2),
                "district": rng.choice(DISTRICTS), "international": False, "products": [product]}
    sourcing = {"categories": rng.sample(CATEGORIES, 2), "products": ["goods"], "gi_tags": ["Kashmir Pashmina"] if rng.random() < 0.3 else [],
                "price_band": {"min": "200", "max": "1500", "currency": "INR", "unit": "piece"}, "annual_volume": {"value": "2000", "unit": "piece"}}
    return {**base, "country": rng.choice(["DE", "FR", "AE", "US", "IN"]), "preferred_language": "en", "languages": ["en"], "district": None,
            "international": True, "sourcing": sourcing}


def build_meet(db, meet_id: str, seed: int = 7) -> int:
    """Write the read model of a meet of SELLERS x BUYERS, everyone approved; return documents written."""
    rng = random.Random(seed)
    slots = _slots()
    profiles = [_profile(rng, n, "seller") for n in range(SELLERS)] + [_profile(rng, n, "buyer") for n in range(BUYERS)]
    db["participants"].insert_many(profiles)
    db["meets"].insert_one({"_id": meet_id, "name": "National BSM", "venue": "Bharat Mandapam", "city": "New Delhi", "timezone": "Asia/Kolkata",
                            "tables": TABLES, "meeting_minutes": 20, "status": "registration_closed", "capacity_sellers": SELLERS,
                            "capacity_buyers": BUYERS, "slots": slots, "version": 1})
    ids = [s["id"] for s in slots]
    participations = []
    for p in profiles:
        day = rng.randrange(DAYS)
        available = ids if rng.random() < 0.4 else ids[day * SLOTS_PER_DAY:(day + 1) * SLOTS_PER_DAY]
        participations.append({"_id": f"{meet_id}:{p['_id']}", "meet_id": meet_id, "participant_id": p["_id"], "role": p["role"],
                               "status": "approved", "availability": available, "version": 2})
    db["participation"].insert_many(participations)
    parts: dict[str, dict] = {}
    for p in profiles:
        parts.setdefault(roster_part(meet_id, p["_id"]), {})[field_key(p["_id"])] = {"participant_id": p["_id"], "role": p["role"]}
    db["rosters"].insert_many([{"_id": part, "members": members} for part, members in parts.items()])
    return len(profiles) + 1 + len(participations) + len(parts)


def _stored(db) -> int:
    return sum(db[name].estimated_document_count() for name in db.list_collection_names())


def run(env: dict[str, str]) -> dict:
    tag = uuid.uuid4().hex[:6]
    settings = load_settings("matching", {**env, "BSM_TOPIC_PREFIX": f"bench{tag}.", "MATCHING_MONGODB_DATABASE": f"bench{tag}_matching"})
    db = connect(settings)
    app = create_app(settings)
    client = app.test_client()
    logging.disable(logging.INFO)
    meet_id = f"meet{tag}"
    try:
        build_meet(db, meet_id)
        started = time.perf_counter()
        drafted = client.post(f"/v1/meets/{meet_id}/schedule/draft", json={"max_meetings": SLOTS_PER_DAY}, headers=ORGANISER)
        draft_s = time.perf_counter() - started
        assert drafted.status_code == 200, drafted.get_data(as_text=True)[:500]
        published = client.post(f"/v1/meets/{meet_id}/schedule/publish", headers=ORGANISER)
        total_s = time.perf_counter() - started
        assert published.status_code == 200, published.get_data(as_text=True)[:500]
        meetings = published.get_json()["newly_published"]
        events = pending_count(db, OUTBOX_COLLECTIONS)
        stored = _stored(db)

        scratch = [{"_id": f"bare:{n}", **{k: v for k, v in db["meetings"].find_one({}).items() if k != "_id"}} for n in range(meetings)]
        started = time.perf_counter()
        db["bench_bare_meetings"].insert_many(scratch, ordered=False)
        baseline_s = time.perf_counter() - started

        relay_s = _drain(settings, db)
    finally:
        logging.disable(logging.NOTSET)
        db.client.drop_database(db.name)
    return {
        "benchmark": "publish",
        "path": "Flask test client -> matching views (draft, publish)",
        "sellers": SELLERS, "buyers": BUYERS, "slots": DAYS * SLOTS_PER_DAY, "tables": TABLES,
        "seconds": round(total_s, 2),
        "draft_seconds": round(draft_s, 2),
        "publish_seconds": round(total_s - draft_s, 2),
        "target_seconds": 20,
        "meetings_published": meetings,
        "events_written": events,
        "baseline": "bare insert_many of as many meeting documents, same server",
        "baseline_seconds": round(baseline_s, 2),
        "publish_over_baseline": round((total_s - draft_s) / baseline_s, 2) if baseline_s else None,
        "seconds_over_baseline": round(total_s / baseline_s, 2) if baseline_s else None,
        "relay_drain_seconds": relay_s,
        "documents_stored": stored,
    }


def _drain(settings, db) -> float | None:
    """Seconds for the outbox relay to send everything pending to Kafka."""
    topic = settings.topic(catalogue.TOPIC)
    ensure_topics(settings, [topic])
    producer = make_producer(settings)
    try:
        relay = OutboxRelay(db, OUTBOX_COLLECTIONS, lambda t, e: send_event_async(producer, t, e))
        started = time.perf_counter()
        while relay.relay_once():
            pass
        return round(time.perf_counter() - started, 2)
    finally:
        producer.close()
