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
    return Remap(before, before).chose_all(availability, all_slots)


def remapped(availability: Iterable[str], all_slots: bool | None, before: Meet, after: Meet) -> Remapped:
    """The availability (sorted slot ids of ``after``) of an applicant who had
    ``availability`` (slot ids of ``before``), by the rule in this module's docstring."""
    return Remap(before, after)(availability, all_slots)


class Remap:
    """The rule for one edit, ``before`` -> ``after``, with both meets' slots computed once
    for all the meet's applications; called as ``remapped`` is."""

    def __init__(self, before: Meet, after: Meet):
        self.before, self.before_slots, self.after_slots = before, before.slots(), after.slots()
        self.every_before = {slot.id for slot in self.before_slots}

    def chose_all(self, availability: Iterable[str], all_slots: bool | None) -> bool:
        """``chose_all`` on the meet before the edit."""
        return all_slots if all_slots is not None else set(availability) == self.every_before

    def __call__(self, availability: Iterable[str], all_slots: bool | None) -> Remapped:
        availability = list(availability)
        if self.chose_all(availability, all_slots):
            return Remapped(sorted(slot.id for slot in self.after_slots), True)
        spans = chosen_time(self.before, set(availability), self.before_slots)
        kept = [slot.id for slot in self.after_slots if any(start <= _at(slot, slot.start) and _end(slot) <= end for start, end in spans.get(slot.day, ()))]
        return Remapped(sorted(kept), False)


def chosen_time(meet: Meet, chosen: set[str], slots: list[Slot] | None = None) -> dict[date, list[tuple[datetime, datetime]]]:
    """Day -> the stretches of time covered by the ``chosen`` slots of ``meet`` (its
    ``slots``, when computed already), in order; consecutive chosen slots with only the
    meet's gap between them make one stretch."""
    spans: dict[date, list[tuple[datetime, datetime]]] = {}
    previous: Slot | None = None
    for slot in meet.slots() if slots is None else slots:
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
