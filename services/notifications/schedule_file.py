"""The calendar file attached to a personal schedule email (RFC 5545, minimal)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def schedule_ics(participant_id: str, meetings: list[dict[str, Any]], meet_name: str, published_at: datetime | None = None) -> str:
    """A calendar of ``meetings`` (schedule lines: meeting_id, day, start, end, table,
    timezone, with), stamped with ``published_at`` (now if None), so the same publication
    always gives the same file."""
    stamp = (published_at or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//BSM Platform//Notifications//EN", "METHOD:PUBLISH"]
    for m in meetings:
        day = m["day"].replace("-", "")
        tz = m.get("timezone") or "Asia/Kolkata"
        lines += [
            "BEGIN:VEVENT", f"UID:{m['meeting_id']}@bsm", f"DTSTAMP:{stamp}",
            f"DTSTART;TZID={tz}:{day}T{m['start'].replace(':', '')}00", f"DTEND;TZID={tz}:{day}T{m['end'].replace(':', '')}00",
            f"SUMMARY:Meeting with {_text(m['with'])} (table {m['table']})", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
