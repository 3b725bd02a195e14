"""``bsm ops ...``: what operators need, without reading code or database documents.

    bsm ops topics            topics with message counts and current rates
    bsm ops lag               consumer groups and their lag per topic partition (from the
                              beginning of the log where a group has committed nothing yet)
    bsm ops tail TOPIC        the events of a topic, decoded
    bsm ops dlq GROUP         dead letters of a consumer group: reason, origin, payload
    bsm ops replay GROUP      send dead letters back to their topic after a fix
    bsm ops outbox            events waiting in each service's outbox
    bsm ops trace ID          everything about a correlation id (or participant or meeting) in time order
    bsm ops asyncapi          the AsyncAPI document of every topic and event
    bsm schedule solve FILE   the meeting scheduler on a problem file, offline (see README)

Every command takes ``--json``. Connection settings come from the usual variables
(KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI, BSM_TOPIC_PREFIX, <SERVICE>_MONGODB_DATABASE).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from shared import outbox
from shared.config import load_settings
from shared.consumer import dead_letter_topic
from shared.mongo import connect

from ops import asyncapi, schedule_solve
from ops.kafka_views import Kafka, describe, original_headers

OUTBOXES = {
    "registration": ["participants", "meets", "applications"],
    "matching": ["participants", "participation", "schedules", "meetings", "requests"],
    "notifications": ["notifications"],
}
GROUPS = ("matching", "notifications")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bsm", description="Buyer-Seller Meet platform tools.")
    area = parser.add_subparsers(dest="area", required=True)
    ops = area.add_parser("ops", help="watch and repair the message flows").add_subparsers(dest="command", required=True)
    for name, help_text in (("topics", "topics, counts, rates"), ("lag", "consumer lag"), ("outbox", "outbox backlog"), ("asyncapi", "the AsyncAPI document")):
        ops.add_parser(name, help=help_text).add_argument("--json", action="store_true")
    tail = ops.add_parser("tail", help="decoded events of a topic")
    tail.add_argument("topic", help="full name, or a short one such as registration.events")
    tail.add_argument("--limit", type=int, default=50)
    tail.add_argument("--json", action="store_true")
    dlq = ops.add_parser("dlq", help="dead letters of a consumer group")
    dlq.add_argument("group", choices=GROUPS)
    dlq.add_argument("--json", action="store_true")
    replay = ops.add_parser("replay", help="send dead letters back to their topic")
    replay.add_argument("group", choices=GROUPS)
    replay.add_argument("--offset", type=int, action="append", help="DLQ offsets to replay (default: all)")
    replay.add_argument("--since", help="only dead letters that failed at or after this ISO time")
    replay.add_argument("--until", help="only dead letters that failed before this ISO time")
    replay.add_argument("--json", action="store_true")
    trace = ops.add_parser("trace", help="the story of a correlation id, participant or meeting")
    trace.add_argument("id")
    trace.add_argument("--logs", default=os.environ.get("BSM_LOG_DIR", ".state/local/logs"), help="folder of JSON-line logs to read requests from")
    trace.add_argument("--json", action="store_true")
    schedule_solve.add_commands(area)
    args = parser.parse_args(argv)
    if args.area == "schedule":
        return schedule_solve.run(args)

    settings = load_settings("ops", os.environ)
    kafka = Kafka(settings.kafka_bootstrap_servers)
    handler = {"topics": _topics, "lag": _lag, "outbox": _outbox, "asyncapi": _asyncapi, "tail": _tail, "dlq": _dlq, "replay": _replay, "trace": _trace}
    result = handler[args.command](args, settings, kafka)
    if args.json or args.command == "asyncapi":
        print(json.dumps(result, indent=2, default=str, ensure_ascii=False))
    else:
        _print_table(result)
    return 0


def _topics(args, settings, kafka: Kafka) -> list[dict]:
    return kafka.topics(settings.topic_prefix)


def _lag(args, settings, kafka: Kafka) -> list[dict]:
    return kafka.lag(settings.topic_prefix, asyncapi.subscriptions(settings.topic_prefix))


def _outbox(args, settings, kafka: Kafka) -> list[dict]:
    rows = []
    for service, collections in OUTBOXES.items():
        db = connect(load_settings(service, os.environ))
        rows.append({"service": service, "pending_events": outbox.pending_count(db, collections)})
    return rows


def _asyncapi(args, settings, kafka: Kafka) -> dict:
    return asyncapi.build(settings.topic_prefix)


def _tail(args, settings, kafka: Kafka) -> list[dict]:
    topic = args.topic if args.topic.startswith(settings.topic_prefix) else settings.topic(args.topic)
    return [_short(describe(r)) for r in kafka.records(topic, args.limit)]


def _dead_letters(settings, kafka: Kafka, group: str) -> list[Any]:
    return list(kafka.records(dead_letter_topic(settings.topic_prefix, group), limit=10_000))


def _dlq(args, settings, kafka: Kafka) -> list[dict]:
    return [describe(r) for r in _dead_letters(settings, kafka, args.group)]


def _replay(args, settings, kafka: Kafka) -> list[dict]:
    replayed = []
    for record in _dead_letters(settings, kafka, args.group):
        row = describe(record)
        failed_at = row["dead_letter"].get("dlq_failed_at", "")
        if args.offset and record.offset not in args.offset:
            continue
        if (args.since and failed_at < args.since) or (args.until and failed_at >= args.until):
            continue
        origin = row["dead_letter"]["dlq_origin_topic"]
        kafka.republish(origin, record.key, record.value, original_headers(record))
        replayed.append({"dlq_offset": record.offset, "to": origin, "event_id": row.get("id"), "reason": row["dead_letter"].get("dlq_reason")})
    return replayed


def _trace(args, settings, kafka: Kafka) -> list[dict]:
    """Every event whose correlation id, subject or data names ``id``, and every notification
    it led to, in time order."""
    story = []
    for topic in kafka.topics(settings.topic_prefix, sample_seconds=0):
        for record in kafka.records(topic["topic"], limit=100_000, timeout=10):
            row = describe(record)
            if args.id in (row.get("correlation_id"), row.get("subject")) or args.id in json.dumps(row.get("data", {}), default=str):
                story.append({"at": row["timestamp"], "what": row.get("type") or "not an event", "where": f"{row['topic']}@{row['offset']}",
                              "id": row.get("id"), "correlation_id": row.get("correlation_id"), "caused_by": row.get("causation_id")})
    event_ids = [row["id"] for row in story if row.get("id")]
    for group in GROUPS:
        ledger = connect(load_settings(group, os.environ))["processed_events"]
        for doc in ledger.find({"_id": {"$in": [f"{group}:{event_id}" for event_id in event_ids]}}):
            story.append({"at": doc["at"].isoformat(), "what": f"handled by {group}", "where": group, "id": doc["_id"].split(":", 1)[1],
                          "correlation_id": args.id, "caused_by": doc["_id"].split(":", 1)[1]})
    story += _requests_from_logs(args.logs, args.id)
    notifications = connect(load_settings("notifications", os.environ))["notifications"]
    query = {"$or": [{"correlation_id": args.id}, {"recipient_id": args.id}]}
    for doc in notifications.find(query, {"kind": 1, "channel": 1, "status": 1, "created_at": 1, "sent_at": 1, "correlation_id": 1, "source_event_id": 1}):
        story.append({"at": (doc.get("sent_at") or doc["created_at"]).isoformat(), "what": f"notification {doc['kind']} by {doc['channel']}: {doc['status']}",
                      "where": "notifications", "id": doc["_id"], "correlation_id": doc.get("correlation_id"), "caused_by": doc.get("source_event_id")})
    return sorted(story, key=lambda row: row["at"])


def _requests_from_logs(folder: str, correlation_id: str) -> list[dict]:
    """The HTTP requests of this correlation id, from the services' JSON-line logs (locally;
    in a cluster, the same search runs in the log store)."""
    rows = []
    for path in sorted(Path(folder).glob("*.log")) if Path(folder).is_dir() else []:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if correlation_id not in line or not line.startswith("{"):
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("correlation_id") == correlation_id and entry.get("msg") == "request":
                    rows.append({"at": entry["ts"], "what": f"HTTP {entry['method']} {entry['path']} -> {entry['status']}", "where": entry["service"],
                                 "id": None, "correlation_id": correlation_id, "caused_by": None})
    return rows


def _short(row: dict) -> dict:
    data = json.dumps(row.get("data", row.get("value", "")), default=str, ensure_ascii=False)
    return {**{k: row.get(k) for k in ("timestamp", "topic", "offset", "type", "subject", "correlation_id")}, "data": data[:120]}


def _print_table(rows: list[dict]) -> None:
    if not rows:
        print("(nothing)")
        return
    flat = [{k: (json.dumps(v, default=str, ensure_ascii=False) if isinstance(v, (dict, list)) else v) for k, v in row.items()} for row in rows]
    columns = list(dict.fromkeys(k for row in flat for k in row))
    widths = {c: min(60, max(len(c), *(len(str(row.get(c, ""))) for row in flat))) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in flat:
        print("  ".join(str(row.get(c, ""))[: widths[c]].ljust(widths[c]) for c in columns))


if __name__ == "__main__":
    sys.exit(main())
