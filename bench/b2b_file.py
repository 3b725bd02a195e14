"""Reader of the B2B benchmark files (MiniZinc data, ``.dzn``) of Bofill et al.: a real
forum's participants, required meetings with their session (morning, afternoon, either),
forbidden slots per participant, tables and slots. See ``bench/data/b2b/SOURCES.md``.

Only the fields of that benchmark are read, with a regular expression per field (the files
are machine-written and regular); a field missing or inconsistent raises ``ValueError``.
"""
from __future__ import annotations

import re
from pathlib import Path

from services.matching.domain.scheduling import Candidate, Problem

__all__ = ["REAL_FORUMS", "read_b2b", "parse_b2b"]

DATA = Path(__file__).parent / "data" / "b2b"
REAL_FORUMS = ("tic-12", "tic-13", "forumt-14", "forum-13", "forum-14")


def read_b2b(name: str) -> Problem:
    """The instance ``bench/data/b2b/<name>.dzn`` as a ``Problem`` (see ``parse_b2b``)."""
    return parse_b2b((DATA / f"{name}.dzn").read_text(encoding="utf-8"))


def parse_b2b(text: str) -> Problem:
    """A B2B ``.dzn`` text as a ``Problem``: participants ``b1``..``bN``, every requested
    meeting required (value 1) in its session's slots (or its fixed slot), one day of
    ``nTotalSlots`` slots, ``nTables`` tables, availability all slots but the forbidden."""
    text = "\n".join(line.split("%", 1)[0] for line in text.splitlines())
    n_people, n_meetings = _int(text, "nBusiness"), _int(text, "nMeetings")
    n_slots, n_morning, tables = _int(text, "nTotalSlots"), _int(text, "nMorningSlots"), _int(text, "nTables")
    numbers = [int(x) for x in re.findall(r"\d+", _block(text, "requested"))]
    if len(numbers) != 3 * n_meetings:
        raise ValueError(f"requested holds {len(numbers)} numbers, not 3 x nMeetings = {3 * n_meetings}")
    forbidden = [{int(x) - 1 for x in re.findall(r"\d+", group) if int(x) > 0} for group in re.findall(r"\{([^}]*)\}", _block(text, "forbidden"))]
    fixed = [int(x) for x in re.findall(r"\d+", _block(text, "fixed"))]
    counts = [int(x) for x in re.findall(r"\d+", _block(text, "nMeetingsBusiness"))]
    if len(forbidden) != n_people or len(counts) != n_people or len(fixed) != n_meetings:
        raise ValueError("forbidden, nMeetingsBusiness and fixed must have one entry per participant, participant, meeting")
    every = frozenset(range(n_slots))
    sessions = {1: frozenset(range(n_morning)), 2: every - frozenset(range(n_morning)), 3: None}
    candidates, seen = [], [0] * n_people
    for k in range(n_meetings):
        a, b, session = numbers[3 * k: 3 * k + 3]
        if session not in sessions or not (1 <= a <= n_people and 1 <= b <= n_people) or a == b:
            raise ValueError(f"meeting {k + 1} is malformed: {a}, {b}, {session}")
        window = frozenset({fixed[k] - 1}) if fixed[k] else sessions[session]
        candidates.append(Candidate(f"b{a}", f"b{b}", 1.0, "must_meet", required=True, slots=window))
        seen[a - 1] += 1
        seen[b - 1] += 1
    if seen != counts:
        raise ValueError("nMeetingsBusiness does not match the meetings requested")
    availability = {f"b{p + 1}": every - frozenset(forbidden[p]) for p in range(n_people)}
    return Problem([f"slot{t + 1}" for t in range(n_slots)], tables, availability, candidates,
                   default_max_meetings=n_slots, days=[(0, n_slots - 1)])


def _int(text: str, name: str) -> int:
    found = re.search(rf"\b{name}\s*=\s*(\d+)\s*;", text)
    if not found:
        raise ValueError(f"{name} is missing")
    return int(found.group(1))


def _block(text: str, name: str) -> str:
    found = re.search(rf"\b{name}\s*=\s*\[(.*?)\]\s*;", text, re.S)
    if not found:
        raise ValueError(f"{name} is missing")
    return found.group(1)
