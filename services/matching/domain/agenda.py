"""A participant's personal agenda: an iCalendar feed (RFC 5545, written by
shared/calendars.py) and a printable page.

``contacts`` (meeting id -> ``{"phone", "email"}``) are the counterparts' contact details
the participant may see (``domain.contact_exchange``), shown beside those meetings."""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any, Mapping

from shared.calendars import CalendarMeeting, meetings_calendar
from shared.meeting_times import VENUE_ZONE


def counterpart(meeting: dict[str, Any], participant_id: str) -> str:
    """The name of the other side of ``meeting`` for ``participant_id`` (their id when unnamed)."""
    if meeting["seller_id"] == participant_id:
        return meeting.get("buyer_name") or meeting["buyer_id"]
    return meeting.get("seller_name") or meeting["seller_id"]


def contact_text(contact: dict[str, str] | None) -> str:
    """``"+919811000001, w1@example.in"``: the phone and email given, or empty."""
    return ", ".join(v for v in (contact or {}).values() if v)


def ical(meetings: list[dict[str, Any]], participant_id: str, meet: dict[str, Any], now: datetime | None = None,
         interpreters: Mapping[str, str] | None = None, contacts: Mapping[str, dict[str, str]] | None = None) -> str:
    """``participant_id``'s feed of ``meetings`` (published meeting documents, cancelled
    ones included as CANCELLED) at ``meet``, each in the time zone it is stored with (the
    meet's for a meeting stored without one: a meeting that had begun when the meet's zone
    was corrected keeps the zone it took place in), stamped ``now`` (the current time if None). Each meeting's interpreter is named from ``interpreters`` (id to
    name), by id when the name is not known; the counterpart's contact from ``contacts``
    goes in the description."""
    names = interpreters or {}
    place = ", ".join(x for x in (meet.get("venue"), meet.get("city")) if x)
    events = [
        CalendarMeeting(
            uid=m["_id"], day=m["day"], start=m["start"], end=m["end"], zone=m.get("timezone") or meet.get("timezone") or VENUE_ZONE,
            counterpart=counterpart(m, participant_id), table=m["table"],
            interpreter=names.get(m["interpreter"], m["interpreter"]) if m.get("interpreter") else None,
            sequence=m.get("version", 1), cancelled=m["status"] == "cancelled", location=place,
            description="; ".join(_described(m, (contacts or {}).get(m["_id"]))),
        )
        for m in meetings
    ]
    return meetings_calendar(events, "Matching", now or datetime.now(timezone.utc), name=meet.get("name", "BSM")).decode()


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
