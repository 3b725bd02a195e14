"""The fault suite's judge: when the platform is quiet, and what each accepted write should
have led to (see ``bench/faults.py`` for the definition of "expected", "lost" and
"duplicated"). Reads the services' databases and the sinks directly.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from pymongo.database import Database

from bench.fault_load import Ledger
from ops.kafka_views import Kafka

SENT_STATUSES = ("sent",)


@dataclass
class Sinks:
    """Every message the SMTP and gateway sinks received, by notification id."""

    emails: Callable[[], list]
    texts: Callable[[], list]

    def ids(self) -> list[str]:
        found = [str(m.get("X-BSM-Notification-ID") or "") for m in self.emails()]
        return found + [str(m.get("reference") or "") for m in self.texts()]


@dataclass
class Quiet:
    """Whether everything accepted has gone through: no outbox pointer left, no consumer
    lag, no notification due; ``why`` says what is still moving."""

    dbs: dict[str, Database]
    kafka: Kafka
    prefix: str
    sinks: Sinks
    why: str = ""
    _last: tuple | None = field(default=None, repr=False)

    def check(self) -> bool:
        """True when nothing moves and the sinks got nothing since the last check."""
        reason = self._moving()
        count = len(self.sinks.ids())
        steady, self._last = (not reason and count == self._last), (None if reason else count)
        self.why = reason or ("" if steady else "sinks still receiving")
        return steady

    def _moving(self) -> str:
        pointers = {name: db["outbox_pointers"].count_documents({}) for name, db in self.dbs.items()}
        if any(pointers.values()):
            return f"outbox pointers {pointers}"
        due = self.dbs["notifications"]["notification_due"].count_documents({})
        if due:
            return f"{due} notifications due"
        registration, matching = f"{self.prefix}registration.events", f"{self.prefix}matching.events"
        groups = {f"{self.prefix}matching": [registration], f"{self.prefix}notifications": [registration, matching]}
        try:
            rows = self.kafka.lag(self.prefix, groups)
        except Exception as exc:  # noqa: BLE001 - Kafka away or a client error: not quiet yet
            return f"lag unknown: {exc!r}"[:200]
        behind = [r for r in rows if r["group"] in groups and (r.get("lag") is None or r["lag"] > 0)]
        if behind:
            return f"lag {[(r['group'], r['topic'][-15:], r['partition'], r.get('lag')) for r in behind][:4]}"
        return ""

    def wait(self, timeout: float, interval: float = 1.0) -> float | None:
        """Seconds until quiet (two checks in a row), None when ``timeout`` passed first."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if self.check():
                    return time.monotonic() - started
            except Exception as exc:  # noqa: BLE001 - the database may still be coming back
                self.why, self._last = f"check failed: {exc!r}"[:200], None
            time.sleep(interval)
        return None


def channels_of(person: dict) -> list[str]:
    """The channels a participant is reached on by default (notifications' ``Contact``)."""
    return [c for c, there in (("sms", person.get("phone")), ("email", person.get("email"))) if there] + ["inbox"]


@dataclass
class Expectation:
    what: str
    recipient: str
    kind: str
    channel: str
    matches: Callable[[dict], bool] = lambda n: True
    delivered: bool = True  # False: recorded only (a reminder due later)


def expectations(ledger: Ledger, meetings: Iterable[dict]) -> list[Expectation]:
    people = ledger.people
    out: list[Expectation] = []
    for pid, person in people.items():
        out.append(Expectation("registration_received", pid, "registration_received", "email" if person.get("email") else "inbox"))
        out.append(Expectation("verification_code", pid, "verification_code", "sms" if person.get("phone") else "email"))
    for pid in ledger.approved:
        out += [Expectation("participation_approved", pid, "participation_approved", c) for c in channels_of(people[pid])]
    for request_id, (asker, asked) in ledger.requests.items():
        out += [Expectation("meeting_requested", asked, "meeting_requested", c, lambda n, r=request_id: n["context"].get("request_id") == r)
                for c in channels_of(people[asked])]
        if request_id in ledger.accepted_requests:
            name = people[asked].get("name")
            out += [Expectation("meeting_accepted", asker, "meeting_accepted", c, lambda n, x=name: n["context"].get("other_name") == x)
                    for c in channels_of(people[asker])]
    for meeting in meetings:
        for who in (meeting["seller_id"], meeting["buyer_id"]):
            for c in channels_of(people.get(who, {})):
                out.append(Expectation("meeting_announced", who, "meeting_announced", c, lambda n, m=meeting: _announces(n, m)))
                out.append(Expectation("meeting_reminder", who, "meeting_reminder", c,
                                       lambda n, m=meeting: n["context"].get("meeting_id") == m["_id"], delivered=False))
    return out


def _announces(notification: dict, meeting: dict) -> bool:
    """Whether a schedule message lists the meeting, or a meeting-added message is about it."""
    context = notification["context"]
    if notification["kind"] == "schedule_published":
        return any(line.get("meeting_id") == meeting["_id"] for line in context.get("meetings") or [])
    if notification["kind"] == "meeting_added":
        if context.get("meeting_id"):
            return context["meeting_id"] == meeting["_id"]
        return (str(context.get("day")), context.get("start"), context.get("table")) == (str(meeting["day"]), meeting["start"], meeting["table"])
    return False


def audit(ledger: Ledger, dbs: dict[str, Database], sinks: Sinks) -> dict[str, Any]:
    """Stored, seen by matching, recorded and sent for what ``ledger`` holds; what was lost
    and what was sent twice."""
    people = list(ledger.people)
    stored = {d["_id"] for d in dbs["registration"]["participants"].find({"_id": {"$in": people}}, {"_id": 1})}
    seen = {d["_id"] for d in dbs["matching"]["participants"].find({"_id": {"$in": people}}, {"_id": 1})}
    meetings = list(dbs["matching"]["meetings"].find({"meet_id": ledger.meet_id, "status": "scheduled"})) if ledger.meet_id else []
    recorded = list(dbs["notifications"]["notifications"].find({"recipient_id": {"$in": people}}))
    sent = Counter(sinks.ids())
    mine = {n["_id"] for n in recorded}
    lost: Counter = Counter()
    samples: list[str] = []

    def lose(what: str, detail: str) -> None:
        lost[what] += 1
        if len(samples) < 8:
            samples.append(f"{what}: {detail}")

    for pid in people:
        if pid not in stored:
            lose("participant not stored", pid)
        if pid not in seen:
            lose("participant unknown to matching", pid)
    meeting_ids = {m["_id"] for m in meetings}
    for walk_in in ledger.walk_ins - meeting_ids:
        lose("walk-in not stored", walk_in)
    if ledger.published and not meetings:
        lose("published schedule has no meetings", str(ledger.meet_id))
    by_recipient: dict[tuple[str, str], list[dict]] = {}
    for n in recorded:
        by_recipient.setdefault((n["recipient_id"], n["channel"]), []).append(n)
    semantic_duplicates: Counter = Counter()
    for e in expectations(ledger, meetings):
        kinds = ("schedule_published", "meeting_added") if e.kind == "meeting_announced" else (e.kind,)
        found = [n for n in by_recipient.get((e.recipient, e.channel), []) if n["kind"] in kinds and e.matches(n)]
        if not found:
            lose(f"{e.what}/{e.channel} not recorded", e.recipient)
            continue
        if not e.delivered:
            continue
        if e.channel == "inbox":
            delivered = [n for n in found if n.get("status") in SENT_STATUSES]
        else:
            delivered = [n for n in found if sent[n["_id"]]]
        if not delivered:
            lose(f"{e.what}/{e.channel} not sent", f"{e.recipient} status={[n.get('status') for n in found]} error={found[0].get('last_error')}")
        elif len(delivered) > 1:
            semantic_duplicates[f"{e.what}/{e.channel}"] += len(delivered) - 1
    repeated = Counter({i: c - 1 for i, c in sent.items() if i in mine and c > 1})
    duplicates_by_kind = Counter()
    kind_of = {n["_id"]: n["kind"] for n in recorded}
    for i, extra in repeated.items():
        duplicates_by_kind[f"{kind_of[i]} (same id)"] += extra
    duplicates_by_kind.update(semantic_duplicates)
    return {
        "stored": len(stored),
        "seen_by_matching": len(seen),
        "meetings": len(meetings),
        "notifications_recorded": len(recorded),
        "notifications_dead": sum(1 for n in recorded if n.get("status") == "dead"),
        "messages_sent": sum(sent[i] for i in mine),
        "lost": sum(lost.values()),
        "duplicated": sum(duplicates_by_kind.values()),
        "lost_by_kind": dict(lost),
        "duplicated_by_kind": dict(duplicates_by_kind),
        "lost_samples": samples,
    }
