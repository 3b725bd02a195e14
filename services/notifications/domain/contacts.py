"""Who a participant is to notifications: how to reach them and what they asked for.

Built from registration's participant events (contacts) and the participant's own choices
(preferences). Nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

CHANNELS = ("email", "sms", "whatsapp", "webhook", "inbox")
# Messages nobody can opt out of: without them a person cannot log in or misses a changed meeting.
ESSENTIAL = frozenset({"verification_code", "meeting_cancelled", "meeting_changed"})


@dataclass
class Contact:
    participant_id: str
    name: str
    role: str
    language: str = "en"
    email: str | None = None
    phone: str | None = None
    channels: list[str] | None = None  # None: the defaults
    opted_out: bool = False
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "Asia/Kolkata"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    version: int = 0
    extra: dict = field(default_factory=dict)
    share_contact: bool = True  # whether the other side of a confirmed meeting sees phone and email

    def shared_details(self) -> str | None:
        """``"+919811000001, w1@example.in"`` for the other side of a confirmed meeting, or
        None when they opted out (``share_contact``) or gave neither."""
        given = [v for v in (self.phone, self.email) if v] if self.share_contact else []
        return ", ".join(given) or None

    def default_channels(self) -> list[str]:
        """Sellers live on their phones, buyers in email; everyone has the in-app inbox."""
        chosen = []
        if self.phone:
            chosen.append("sms")
        if self.email:
            chosen.append("email")
        if self.webhook_url:
            chosen.append("webhook")
        return chosen + ["inbox"]


def deliveries(contact: Contact, kind: str) -> list[tuple[str, str]]:
    """(channel, address) pairs a message of ``kind`` goes to; [] when they opted out of it."""
    if contact.opted_out and kind not in ESSENTIAL:
        return [("inbox", contact.participant_id)]
    wanted = contact.channels if contact.channels is not None else contact.default_channels()
    addresses = {
        "email": contact.email,
        "sms": contact.phone,
        "whatsapp": contact.phone,
        "webhook": contact.webhook_url,
        "inbox": contact.participant_id,
    }
    result = [(channel, addresses[channel]) for channel in wanted if addresses.get(channel)]
    if kind in ESSENTIAL and not any(channel != "inbox" for channel, _ in result):
        result += [(c, addresses[c]) for c in ("sms", "email") if addresses.get(c) and (c, addresses[c]) not in result][:1]
    return result or [("inbox", contact.participant_id)]


def after_quiet_hours(moment: datetime, contact: Contact, channel: str) -> datetime:
    """When an SMS or WhatsApp may go: ``moment``, or the end of the person's quiet hours."""
    if channel not in ("sms", "whatsapp") or contact.quiet_start is None or contact.quiet_end is None:
        return moment
    local = moment.astimezone(ZoneInfo(contact.timezone))
    start, end, now = contact.quiet_start, contact.quiet_end, local.time()
    quiet = (start <= now < end) if start < end else (now >= start or now < end)
    if not quiet:
        return moment
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(moment.tzinfo)
