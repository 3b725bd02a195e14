"""An application's availability carried onto its meet's slots when the meet is edited.

A slot id is a day and a start time, so a new meeting length, new session hours, breaks
or days leave most stored ids naming no slot. Availability is time, not ids: an applicant
who chose every slot (``"all"``) is available in every slot of the edited meet; anyone
else is available in a new slot when its whole time lies within the time they had
chosen on that day, the union of their old slots' times, where two chosen slots that
follow each other in the old meet are joined across the gap between meetings (not
across a break). A new day, or hours beyond those chosen, are not theirs unless they
chose all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable

from services.registration.domain.meets import Meet, Slot


@dataclass(frozen=True)
class Remapped:
    """An application's availability on the edited meet's slots, and whether it chose all."""

    availability: list[str]
    all_slots: bool


def chose_all(availability: Iterable[str], all_slots: bool | None, before: Meet) -> bool:
    """Whether the applicant chose every slot: as recorded, or for an application stored
    before the choice was recorded (``all_slots`` None), when its availability is every
    slot of the meet ``before`` the edit."""
    if all_slots is not None:
        return all_slots
    return set(availability) == {slot.id for slot in before.slots()}


def remapped(availability: Iterable[str], all_slots: bool | None, before: Meet, after: Meet) -> Remapped:
    """The availability (sorted slot ids of ``after``) of an applicant who had
    ``availability`` (slot ids of ``before``), by the rule in this module's docstring."""
    if chose_all(availability, all_slots, before):
        return Remapped(sorted(slot.id for slot in after.slots()), True)
    spans = chosen_time(before, set(availability))
    kept = [slot.id for slot in after.slots() if any(start <= _at(slot, slot.start) and _end(slot) <= end for start, end in spans.get(slot.day, ()))]
    return Remapped(sorted(kept), False)


def chosen_time(meet: Meet, chosen: set[str]) -> dict[date, list[tuple[datetime, datetime]]]:
    """Day -> the stretches of time covered by the ``chosen`` slots of ``meet``, in order;
    consecutive chosen slots with only the meet's gap between them make one stretch."""
    spans: dict[date, list[tuple[datetime, datetime]]] = {}
    previous: Slot | None = None
    for slot in meet.slots():
        if slot.id in chosen:
            day = spans.setdefault(slot.day, [])
            joined = previous is not None and previous.id in chosen and previous.day == slot.day and _follows(meet, previous, slot)
            if joined:
                day[-1] = (day[-1][0], _end(slot))
            else:
                day.append((_at(slot, slot.start), _end(slot)))
        previous = slot
    return spans


def _follows(meet: Meet, earlier: Slot, later: Slot) -> bool:
    """True when ``later`` is the next meeting after ``earlier`` with no break between."""
    return (_at(later, later.start) - _end(earlier)).total_seconds() <= meet.gap_minutes * 60


def _at(slot: Slot, moment: time) -> datetime:
    return datetime.combine(slot.day, moment)


def _end(slot: Slot) -> datetime:
    return _at(slot, slot.end)
