"""The fault suite's load: one meet's life driven over HTTP by a client that retries.

A phase creates a meet and opens it, registers sellers and buyers (two client threads),
applies and approves each, has each buyer ask two sellers to meet and each seller accept,
builds a draft and publishes it, then adds walk-ins. A ``hook(point)`` is called at the
points a fault may be injected ("registrations": half the people registered, "requests",
"publish"); the hook kills something and returns at once, and the load goes on.

How the client behaves during a fault: a request that fails with a connection error, a
timeout or any 5xx is sent again (same body, same ``Idempotency-Key``: registration,
meet creation and applications honour it, so a retry never creates a second record),
with backoff, for up to ``RETRY_SECONDS``. Where an endpoint has no idempotency key, an
answer that refuses a retry (a 4xx: "already approved", "already asked") after an attempt
whose outcome is unknown (a connection error, a timeout, a 5xx or a 503, which may come
after the write was applied) is settled by reading the state back (``resolve``) and
counted in ``settled_by_reading``. Every attempt's outcome is counted.
"""
from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
RETRY_SECONDS = 150.0
TIMEOUT = 10.0
DISTRICTS = ("Srinagar", "Budgam", "Anantnag", "Baramulla", "Pulwama", "Kupwara")
_numbers, _BASE = itertools.count(), random.randrange(1000)


@dataclass
class Tally:
    """What the client saw, over every request of a phase (thread-safe)."""

    accepted: int = 0
    retries: int = 0
    http_5xx: int = 0
    http_503: int = 0
    connection_errors: int = 0
    settled_by_reading: int = 0  # retries refused (4xx) whose earlier attempt had in fact done the write
    slowest_s: float = 0.0  # the longest any single attempt waited for its answer (or its error)
    refused: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)

    def took(self, seconds: float) -> None:
        with self.lock:
            self.slowest_s = max(self.slowest_s, round(seconds, 1))

    def refuse(self, what: str, status: int, text: str) -> None:
        with self.lock:
            self.refused[f"{what} {status}"] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{what}: {status} {text[:200]}")

    def note_5xx(self, what: str, status: int, text: str) -> None:
        with self.lock:
            self.http_5xx += 1
            if len(self.samples) < 10:
                self.samples.append(f"{what}: {status} {text[:200]}")


class Client:
    """One service's API, retried as described in the module docstring."""

    def __init__(self, base: str, tally: Tally):
        self.base, self.tally = base, tally
        self.local = threading.local()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def write(self, method: str, path: str, body: Any = None, headers: dict | None = None, key: bool = False,
              resolve: Callable[[], Any] | None = None, wait_for: tuple[int, ...] = ()) -> Any:
        """The JSON of the 2xx answer (or what ``resolve`` read back), None when refused.

        ``key`` sends an ``Idempotency-Key``; ``wait_for`` are statuses that mean "not yet
        known here" (a consumer has not caught up) and are retried like a 503."""
        headers = {**(headers or {}), "X-Request-ID": f"faults-{uuid.uuid4().hex[:12]}"}
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        what = f"{method} {_route(path)}"
        deadline, delay, unsure = time.monotonic() + RETRY_SECONDS, 0.2, False
        while True:
            sent = time.monotonic()
            try:
                response = self.session.request(method, self.base + path, json=body, headers=headers, timeout=TIMEOUT)
            except requests.RequestException:
                self.tally.add("connection_errors")
                status, text, unsure = None, "", True
            else:
                status, text = response.status_code, response.text
                if 200 <= status < 300:
                    self.tally.add("accepted")
                    self.tally.took(time.monotonic() - sent)
                    return response.json() if text else {}
                if status == 503:
                    self.tally.add("http_503")
                    unsure = True  # the deadline may have passed after the write was applied
                elif status >= 500:
                    self.tally.note_5xx(what, status, text)
                    unsure = True
                elif status == 409 and "Idempotency-Key" in text:
                    pass  # the first attempt with this key is still running: ask again
                elif unsure and resolve is not None and status not in wait_for:
                    found = resolve()
                    if found:
                        self.tally.add("accepted")
                        self.tally.add("settled_by_reading")
                        return found
                    self.tally.refuse(what, status, text)
                    return None
                elif status not in wait_for:
                    self.tally.refuse(what, status, text)
                    return None
            self.tally.took(time.monotonic() - sent)
            if time.monotonic() > deadline:
                self.tally.refuse(what + " (gave up)", status or 0, text)
                return None
            self.tally.add("retries")
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 3.0)

    def read(self, path: str, headers: dict | None = None) -> Any:
        """GET, retried through faults; None when it never answers 200."""
        deadline = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < deadline:
            try:
                response = self.session.get(self.base + path, headers=headers, timeout=TIMEOUT)
                if response.status_code == 200:
                    return response.json()
                if response.status_code < 500:
                    return None
            except requests.RequestException:
                pass
            time.sleep(0.5)
        return None


def _route(path: str) -> str:
    """The path with ids replaced, so counts group by endpoint."""
    return "/".join(p if p in ("v1", "meets", "sellers", "buyers", "applications", "decision", "status", "requests", "accept",
                                "schedule", "draft", "publish", "walk-ins", "") else "{id}" for p in path.split("/"))


@dataclass
class Ledger:
    """What the platform accepted in a phase: the writes whose effects the audit expects."""

    meet_id: str | None = None
    people: dict[str, dict] = field(default_factory=dict)  # id -> {role, phone, email, name (as others see it)}
    approved: set[str] = field(default_factory=set)
    requests: dict[str, tuple[str, str]] = field(default_factory=dict)  # request id -> (from, to)
    accepted_requests: set[str] = field(default_factory=set)
    published: bool = False
    walk_ins: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def seller(n: int, tag: str) -> dict:
    return {
        "name": f"Weaver {tag} {n}", "organisation": f"Loom {tag} {n}", "district": DISTRICTS[n % len(DISTRICTS)],
        "phone": f"+9198{tag}{n:05d}", "email": f"weaver{n}.{tag}@example.in", "preferred_language": "en",
        "products": [{"name": "Pashmina shawl", "category": "handloom", "gi_tag": "Kashmir Pashmina", "export_ready": True}],
    }


def buyer(n: int, tag: str) -> dict:
    return {
        "name": f"Buyer {tag} {n}", "organisation": f"Brand {tag} {n}", "buyer_kind": "retail_brand",
        "email": f"buyer{n}.{tag}@brand.example", "preferred_language": "en",
        "sourcing": {"categories": ["handloom"], "gi_tags": ["Kashmir Pashmina"]},
    }


def meet_body(tag: str, sellers: int, buyers: int) -> dict:
    return {
        "name": f"Fault meet {tag}", "venue": "SKICC", "city": "Srinagar", "days": ["2027-07-30"],
        "session_start": "10:00", "session_end": "13:00", "meeting_minutes": 20, "tables": 4,
        "capacity_sellers": sellers + 5, "capacity_buyers": buyers + 5,
    }


def drive(registration: Client, matching: Client, token: Callable[[str], str], sellers: int, buyers: int,
          hook: Callable[[str], None]) -> Ledger:
    """One meet's life under load; ``hook(point)`` is called at each injection point."""
    tag = f"{(_BASE + next(_numbers)) % 1000:03d}"  # distinct phones and emails for every phase of a run
    ledger = Ledger()
    meet = registration.write("POST", "/v1/meets", meet_body(tag, sellers, buyers), ORGANISER, key=True)
    if meet is None:
        return ledger
    meet_id = ledger.meet_id = meet["id"]
    slots = [s["id"] for s in meet["slots"]]
    opened = registration.write("POST", f"/v1/meets/{meet_id}/status", {"status": "registration_open"}, ORGANISER,
                                resolve=lambda: (registration.read(f"/v1/meets/{meet_id}") or {}).get("status") == "registration_open")
    if opened is None:
        return ledger
    bodies = [("sellers", seller(n, tag)) for n in range(sellers)] + [("buyers", buyer(n, tag)) for n in range(buyers)]
    random.Random(tag).shuffle(bodies)

    def join(index_and_body: tuple[int, tuple[str, dict]]) -> None:
        index, (plural, body) = index_and_body
        if index == len(bodies) // 2:
            hook("registrations")
        person = registration.write("POST", f"/v1/{plural}", body, key=True)
        if person is None:
            return
        pid = person["id"]
        with ledger.lock:
            ledger.people[pid] = {"role": plural[:-1], "phone": person.get("phone"), "email": person.get("email"),
                                  "name": person.get("organisation") or person.get("name")}
        applied = registration.write("POST", f"/v1/meets/{meet_id}/applications", {"participant_id": pid, "availability": slots}, ORGANISER, key=True)
        if applied is None:
            return
        application = f"/v1/meets/{meet_id}/applications/{pid}"
        decided = registration.write("POST", application + "/decision", {"decision": "approve"}, ORGANISER,
                                     resolve=lambda: (registration.read(application, ORGANISER) or {}).get("status") == "approved")
        if decided:
            with ledger.lock:
                ledger.approved.add(pid)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(join, enumerate(bodies)))
    approved_sellers = sorted(p for p in ledger.approved if ledger.people[p]["role"] == "seller")
    approved_buyers = sorted(p for p in ledger.approved if ledger.people[p]["role"] == "buyer")

    hook("requests")
    for b, buyer_id in enumerate(approved_buyers):
        for seller_id in approved_sellers[b * 2 % max(1, len(approved_sellers)):][:2]:
            request_id = f"{meet_id}:{buyer_id}:{seller_id}"
            asked = matching.write("POST", f"/v1/meets/{meet_id}/requests", {"to_id": seller_id, "message": "Let us talk shawls"},
                                   {"Authorization": f"Bearer {token(buyer_id)}"}, wait_for=(404,),
                                   resolve=lambda r=request_id: _request_known(matching, meet_id, r))
            if asked:
                ledger.requests[request_id] = (buyer_id, seller_id)
    for request_id, (_, seller_id) in ledger.requests.items():
        if matching.write("POST", f"/v1/requests/{request_id}/accept", None, {"Authorization": f"Bearer {token(seller_id)}"}, wait_for=(404,)):
            ledger.accepted_requests.add(request_id)

    hook("publish")
    built, previous, waited = None, -1, time.monotonic() + 60
    while time.monotonic() < waited:  # until the draft holds every request and stops growing
        built = matching.write("POST", f"/v1/meets/{meet_id}/schedule/draft", {"max_meetings": 3}, ORGANISER, wait_for=(404, 409))
        if built is None:
            break
        count = built["stats"]["meetings"]
        if built["stats"]["requested_pairs"] >= len(ledger.requests) and count == previous:
            break
        previous = count
        time.sleep(1.0)
    if built is not None:
        published = matching.write("POST", f"/v1/meets/{meet_id}/schedule/publish", None, ORGANISER)
        ledger.published = published is not None
    if ledger.published:
        paired = {(m["seller_id"], m["buyer_id"]) for m in (built or {}).get("meetings", [])}
        free = [(s, b) for b in approved_buyers for s in approved_sellers if (s, b) not in paired][:3]
        for seller_id, buyer_id in free:
            meeting_id = f"{meet_id}:{seller_id}:{buyer_id}"
            added = matching.write("POST", f"/v1/meets/{meet_id}/walk-ins", {"seller_id": seller_id, "buyer_id": buyer_id}, ORGANISER,
                                   resolve=lambda m=meeting_id: _meeting_known(matching, meet_id, m))
            if added:
                ledger.walk_ins.add(meeting_id)
    return ledger


def _request_known(matching: Client, meet_id: str, request_id: str) -> bool:
    listed = matching.read(f"/v1/meets/{meet_id}/requests", ORGANISER) or {}
    return any(r.get("id", r.get("_id")) == request_id for r in listed.get("items", []))


def _meeting_known(matching: Client, meet_id: str, meeting_id: str) -> bool:
    listed = matching.read(f"/v1/meets/{meet_id}/meetings?limit=200", ORGANISER) or {}
    return any(m.get("id", m.get("_id")) == meeting_id for m in listed.get("items", []))
