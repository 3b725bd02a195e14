"""A participant's personal agenda: an iCalendar feed (RFC 5545) and a printable page.

``contacts`` (meeting id -> ``{"phone", "email"}``) are the counterparts' contact details
the participant may see (``domain.contact_exchange``), shown beside those meetings."""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any

PRODID = "-//BSM Platform//Matching//EN"
# India has one offset and no daylight saving; the block lets calendar apps show local time.
VTIMEZONES = {
    "Asia/Kolkata": [
        "BEGIN:VTIMEZONE", "TZID:Asia/Kolkata", "BEGIN:STANDARD", "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "TZNAME:IST", "END:STANDARD", "END:VTIMEZONE",
    ],
}


def counterpart(meeting: dict[str, Any], participant_id: str) -> str:
    if meeting["seller_id"] == participant_id:
        return meeting.get("buyer_name") or meeting["buyer_id"]
    return meeting.get("seller_name") or meeting["seller_id"]


def contact_text(contact: dict[str, str] | None) -> str:
    """``"+919811000001, w1@example.in"``: the phone and email given, or empty."""
    return ", ".join(v for v in (contact or {}).values() if v)


def ical(meetings: list[dict[str, Any]], participant_id: str, meet: dict[str, Any], now: datetime | None = None,
         contacts: dict[str, dict[str, str]] | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    tz = meet.get("timezone", "Asia/Kolkata")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_text(meet.get('name', 'BSM'))}", *VTIMEZONES.get(tz, [])]
    for m in meetings:
        day = m["day"].replace("-", "")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{m['_id']}@bsm",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{m.get('version', 1)}",
            f"DTSTART;TZID={tz}:{day}T{m['start'].replace(':', '')}00",
            f"DTEND;TZID={tz}:{day}T{m['end'].replace(':', '')}00",
            "SUMMARY:" + _text(f"Meeting with {counterpart(m, participant_id)} (table {m['table']})"),
            f"LOCATION:{_text(', '.join(x for x in (meet.get('venue'), meet.get('city')) if x))}",
            f"DESCRIPTION:{_text('; '.join(_described(m, (contacts or {}).get(m['_id']))))}",
            f"STATUS:{'CANCELLED' if m['status'] == 'cancelled' else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def printable(meetings: list[dict[str, Any]], participant_id: str, name: str, meet: dict[str, Any], contacts: dict[str, dict[str, str]] | None = None) -> str:
    rows = "".join(
        f"<tr><td>{escape(m['day'])}</td><td>{escape(m['start'])}–{escape(m['end'])}</td><td>{m['table']}</td>"
        f"<td>{escape(counterpart(m, participant_id))}</td><td>{escape(contact_text((contacts or {}).get(m['_id'])))}</td>"
        f"<td>{escape('; '.join(m.get('reasons') or []))}</td></tr>"
        for m in meetings if m["status"] != "cancelled"
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Agenda: {escape(name)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:4px;font-size:12px;text-align:left}}
@page{{size:A4;margin:12mm}}@media print{{body{{margin:0}}}}</style></head><body>
<h1>{escape(meet.get('name', 'Buyer-Seller Meet'))}</h1><p>{escape(', '.join(x for x in (meet.get('venue'), meet.get('city')) if x))} · agenda of <strong>{escape(name)}</strong></p>
<table><tr><th>Day</th><th>Time</th><th>Table</th><th>With</th><th>Contact</th><th>Why</th></tr>{rows}</table></body></html>"""


def _described(meeting: dict[str, Any], contact: dict[str, str] | None) -> list[str]:
    return [*(meeting.get("reasons") or []), *([f"Contact: {contact_text(contact)}"] if contact else [])]


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        end = min(len(raw), start + (75 if not parts else 74))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(parts)
