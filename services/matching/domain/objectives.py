"""The scheduler's objectives and the order a meet ranks them in.

Schedules are compared lexicographically: the first objective decides, the next breaks
ties, and so on; idle slots break the last tie. The objectives:

- ``required``: required meetings placed (more is better);
- ``value``: the summed value of the meetings (more is better);
- ``breaks``: runs of empty slots between two of one participant's meetings within a day,
  summed over participants (fewer is better).

The default, ``DEFAULT_ORDER``, is the issue's: required, value, breaks. An organiser who
would rather have compact days than the last few meetings puts ``breaks`` before
``value``; one who would rather not force required meetings at any cost puts ``value``
first.
"""
from __future__ import annotations

from typing import Sequence

__all__ = ["OBJECTIVES", "DEFAULT_ORDER", "order_of", "rank"]

OBJECTIVES = ("required", "value", "breaks")
DEFAULT_ORDER = OBJECTIVES


def order_of(names: Sequence[str] | None) -> tuple[str, ...]:
    """``names`` as an order: every objective of ``OBJECTIVES`` once, most important first
    (None: ``DEFAULT_ORDER``). Raises ValueError naming what is wrong."""
    if names is None:
        return DEFAULT_ORDER
    order = tuple(names)
    unknown = [n for n in order if n not in OBJECTIVES]
    if unknown:
        raise ValueError(f"unknown objective {unknown[0]!r}: choose from {', '.join(OBJECTIVES)}")
    if len(set(order)) != len(order) or len(order) != len(OBJECTIVES):
        raise ValueError(f"name each of {', '.join(OBJECTIVES)} once, most important first")
    return order


def rank(order: Sequence[str], required: int, value: float, breaks: int, idle_slots: int) -> tuple:
    """A key that sorts schedules best last under ``order`` (then the fewest idle slots)."""
    measures = {"required": required, "value": value, "breaks": -breaks}
    return tuple(measures[name] for name in order) + (-idle_slots,)
