"""Time zones as IANA tz database names, checked where they enter the platform.

A meet's zone decides when its meetings start and when their reminders go out, so a name
that ``zoneinfo`` cannot load ("IST", "GMT+5:30", "Mars/Olympus") must be refused at the
API (422 naming the field) and in event contracts, never found later by a consumer. The
names are those of the ``tzdata`` package (the IANA database, pinned in pyproject.toml),
so every machine accepts the same set whatever its operating system ships.
"""
from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields

from shared.text import SingleLine

NOT_A_PLACE = {"Factory"}


def wall_clock(day: str, clock: str, zone: str) -> datetime:
    """The aware datetime of ``clock`` (``HH:MM``) on ``day`` (``YYYY-MM-DD``) on the wall
    clock of the IANA ``zone``: when a slot or meeting starts or ends. ValueError for a day
    or clock that cannot be read; ``ZoneInfoNotFoundError`` for an unknown zone."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), ZoneInfo(zone))


def zone_abbreviation(moment: datetime) -> str:
    """The zone of the aware ``moment`` as people write it after a time: the IANA database's
    abbreviation then (``IST``, ``UTC``, ``CEST``), or the offset from UTC where the
    database has none (``UTC+04`` for Asia/Dubai, ``UTC+0545`` for Asia/Kathmandu)."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name.startswith(("+", "-")) else name


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name ``zoneinfo`` can load, e.g. ``Asia/Kolkata``, ``UTC``, ``Etc/GMT-5``."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(listed) - NOT_A_PLACE


@functools.cache
def _by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def check_zone(name: str) -> str:
    """``name`` if it is an IANA zone name; ValueError with a hint otherwise (the right
    spelling when only the case differs, else an example)."""
    if name in zone_names():
        return name
    spelled = _by_folded_name().get(name.casefold())
    hint = f"did you mean {spelled}?" if spelled else "for example Asia/Kolkata, Asia/Dubai or Europe/London"
    raise ValueError(f"{name!r} is not an IANA time zone name: {hint}")


class TimeZone(SingleLine):
    """A marshmallow string field holding an IANA time zone name (see ``check_zone``); the
    OpenAPI document lists the names (``enum``), so what it calls valid is taken."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.metadata = {"enum": sorted(zone_names()), **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        try:
            return check_zone(name)
        except ValueError as error:
            raise ValidationError(str(error)) from None


CLOCK_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ClockTime(fields.Time):
    """A time of day as ``HH:MM`` on the 24-hour clock, exactly: the OpenAPI document carries
    the pattern, and what it does not match ("9:05", "09:05:00") is refused."""

    def __init__(self, **kwargs: Any):
        super().__init__(format="%H:%M", **kwargs)
        self.metadata = {"pattern": CLOCK_TIME_PATTERN, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not isinstance(value, str) or not re.match(CLOCK_TIME_PATTERN, value):
            raise ValidationError("A time of day as HH:MM, such as 09:30.")
        return super()._deserialize(value, attr, data, **kwargs)
