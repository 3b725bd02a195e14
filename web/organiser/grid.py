"""A schedule as a grid for the organiser: a row per slot, a column per table, each cell
the meeting held there (who meets whom). Plain data, no Flask."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable


def grid(meetings: Iterable[dict[str, Any]], slots: list[dict[str, Any]], tables: int) -> dict[str, Any]:
    """``{"tables": [tables in use], "rows": [{"slot": slot, "cells": [meeting or None per table]}]}``
    for ``meetings`` (each with ``slot_id`` and ``table``, tables counted from 1) over the
    meet's ``slots`` (``id``, ``day``, ``start``, ``end``). Only slots that hold a meeting
    are rows; meetings without a table go in ``unplaced``."""
    placed: dict[tuple[str, int], dict] = {}
    unplaced = []
    for meeting in meetings:
        table = meeting.get("table") or 0
        if 1 <= table <= tables and meeting.get("slot_id"):
            placed[(meeting["slot_id"], table)] = meeting
        else:
            unplaced.append(meeting)
    used = {slot for slot, _table in placed}
    used_tables = sorted({table for _slot, table in placed})
    rows = [{"slot": slot, "cells": [placed.get((slot["id"], t)) for t in used_tables]} for slot in slots if slot["id"] in used]
    return {"tables": used_tables, "rows": rows, "unplaced": unplaced}


def reasons(left_out: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    """How many candidate pairs were left out for each reason, the commonest first."""
    return Counter(item["reason"] for item in left_out).most_common()
