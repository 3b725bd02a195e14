"""The event envelope: CloudEvents 1.0 attributes, in the Kafka binary content mode.

On the wire an event is a Kafka record whose key is the entity id (``subject``), whose
value is the JSON ``data``, and whose headers carry the attributes as ``ce_<name>``
(``content-type`` for ``datacontenttype``), as the CloudEvents Kafka protocol binding
specifies. ``correlationid`` and ``causationid`` are extension attributes. The type
carries its version as the last dotted part (``...participant.registered.v1``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from shared import correlation

SPECVERSION = "1.0"
JSON = "application/json"
_REQUIRED = ("id", "source", "type", "specversion")


class InvalidEnvelope(ValueError):
    """A record that is not a CloudEvent this platform can read."""


def now_ms() -> datetime:
    """Now, to the millisecond: what both the wire format and MongoDB keep."""
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class Event:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=correlation.new_id)
    time: datetime = field(default_factory=now_ms)
    correlation_id: str | None = None
    causation_id: str | None = None
    specversion: str = SPECVERSION
    datacontenttype: str = JSON

    @property
    def version(self) -> int:
        """The contract version encoded at the end of ``type`` (``v1`` -> 1)."""
        last = self.type.rsplit(".", 1)[-1]
        return int(last[1:]) if last[:1] == "v" and last[1:].isdigit() else 1


def new_event(type: str, source: str, subject: str, data: dict[str, Any]) -> Event:
    """An event caused by the work in hand: it inherits the current correlation id,
    and the event being handled (if any) becomes its cause."""
    return Event(
        type=type,
        source=source,
        subject=subject,
        data=data,
        correlation_id=correlation.correlation_id() or correlation.new_id(),
        causation_id=correlation.causation_id(),
    )


def to_kafka(event: Event) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) of the Kafka binary-mode record for ``event``."""
    headers = [
        ("ce_specversion", event.specversion),
        ("ce_id", event.id),
        ("ce_source", event.source),
        ("ce_type", event.type),
        ("ce_time", _format_time(event.time)),
        ("ce_subject", event.subject),
        ("content-type", event.datacontenttype),
    ]
    if event.correlation_id:
        headers.append(("ce_correlationid", event.correlation_id))
    if event.causation_id:
        headers.append(("ce_causationid", event.causation_id))
    value = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False).encode()
    return event.subject.encode(), value, [(k, v.encode()) for k, v in headers]


def from_kafka(key: bytes | None, value: bytes | None, headers: Iterable[tuple[str, bytes]]) -> Event:
    """Read a binary-mode record; raise InvalidEnvelope if it is not one."""
    attrs: dict[str, str] = {}
    for name, raw in headers or ():
        try:
            text = raw.decode() if isinstance(raw, (bytes, bytearray)) else str(raw)
        except UnicodeDecodeError as exc:
            raise InvalidEnvelope(f"header {name} is not UTF-8") from exc
        if name.startswith("ce_"):
            attrs[name[3:]] = text
        elif name.lower() == "content-type":
            attrs["datacontenttype"] = text
    missing = [a for a in _REQUIRED if not attrs.get(a)]
    if missing:
        raise InvalidEnvelope(f"missing CloudEvents attribute(s): {', '.join(missing)}")
    if attrs["specversion"] != SPECVERSION:
        raise InvalidEnvelope(f"unsupported specversion {attrs['specversion']!r}")
    contenttype = attrs.get("datacontenttype", JSON)
    if not contenttype.startswith(JSON):
        raise InvalidEnvelope(f"unsupported content type {contenttype!r}")
    try:
        data = json.loads(value) if value else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEnvelope(f"data is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidEnvelope("data must be a JSON object")
    subject = attrs.get("subject") or (key.decode(errors="replace") if key else "")
    return Event(
        type=attrs["type"],
        source=attrs["source"],
        subject=subject,
        data=data,
        id=attrs["id"],
        time=_parse_time(attrs.get("time")),
        correlation_id=attrs.get("correlationid"),
        causation_id=attrs.get("causationid"),
        specversion=attrs["specversion"],
        datacontenttype=contenttype,
    )


def to_json(event: Event) -> str:
    """The event in the CloudEvents JSON event format (structured content mode), as text:
    the attributes as members, ``data`` as a JSON value, the extensions ``correlationid``
    and ``causationid`` when set. How the outbox stores an event: one string costs the
    database a fraction of the nested document it replaces (FerretDB converts every field).
    Source: CloudEvents 1.0, JSON Event Format, sections 2-3."""
    members: dict[str, Any] = {"specversion": event.specversion, "id": event.id, "source": event.source, "type": event.type}
    if event.subject:
        members["subject"] = event.subject
    members.update(time=_format_time(event.time), datacontenttype=event.datacontenttype)
    if event.correlation_id:
        members["correlationid"] = event.correlation_id
    if event.causation_id:
        members["causationid"] = event.causation_id
    members["data"] = event.data
    return json.dumps(members, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str | bytes) -> Event:
    """Read what ``to_json`` wrote (any CloudEvents JSON event with JSON object data);
    raise InvalidEnvelope if it is not one."""
    try:
        members = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEnvelope(f"not JSON: {exc}") from exc
    if not isinstance(members, dict):
        raise InvalidEnvelope("a JSON event is an object")
    missing = [a for a in _REQUIRED if not members.get(a)]
    if missing:
        raise InvalidEnvelope(f"missing CloudEvents attribute(s): {', '.join(missing)}")
    if members["specversion"] != SPECVERSION:
        raise InvalidEnvelope(f"unsupported specversion {members['specversion']!r}")
    contenttype = members.get("datacontenttype", JSON)
    if not isinstance(contenttype, str) or not contenttype.startswith(JSON):
        raise InvalidEnvelope(f"unsupported content type {contenttype!r}")
    data = members.get("data", {})
    if not isinstance(data, dict):
        raise InvalidEnvelope("data must be a JSON object")
    return Event(
        type=members["type"], source=members["source"], subject=members.get("subject") or "", data=data, id=members["id"],
        time=_parse_time(members.get("time")), correlation_id=members.get("correlationid"), causation_id=members.get("causationid"),
        specversion=members["specversion"], datacontenttype=contenttype,
    )


def from_document(doc: dict[str, Any]) -> Event:
    """An event the outbox stored as a sub-document (before it stored ``to_json`` text)."""
    time = doc["time"]
    if time.tzinfo is None:
        time = time.replace(tzinfo=timezone.utc)
    return Event(
        type=doc["type"],
        source=doc["source"],
        subject=doc["subject"],
        data=doc["data"],
        id=doc["id"],
        time=time,
        correlation_id=doc.get("correlation_id"),
        causation_id=doc.get("causation_id"),
    )


def _format_time(moment: datetime) -> str:
    """RFC 3339 in UTC, to the millisecond; a time without a zone is UTC (as MongoDB
    hands times back), never the machine's local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: str | None) -> datetime:
    if not text:
        return now_ms()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidEnvelope(f"time {text!r} is not RFC 3339") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
