"""Telling approved participants who suits them best, off the consumer's path.

The consumer only queues an approval (``suggestions_due/<meet>:<participant>``); the
``suggestions`` worker calls ``suggest_due``, which takes the queue meet by meet: the
meet's roster and its approved profiles are read once for all of that meet's entries,
and each entry's ``match_scores.updated`` goes out through its participation's outbox,
once per approved version. An entry stays queued while nobody is approved on the other
side yet, and a meet's entries all wait while the profile of anyone on its roster has not
arrived (``profiles_awaited``): suggestions made from some of the profiles would differ
from those made once all of them are in, and the order in which registration's events
arrive must not decide what anyone is told. For the same reason entries wait until the
meet itself is known: a historical meet (recorded after it happened) tells nobody.
"""
from __future__ import annotations

from itertools import groupby
from typing import Any

from services.matching import messages
from services.matching.actions.context import Matching
from services.matching.domain.suggestions import OTHER_SIDE, Suggester

BATCH = 2000
TOP = 5


def suggest_due(ctx: Matching, limit: int = BATCH) -> int:
    """Work up to ``limit`` entries of the due-queue once; returns how many participants
    were told their best matches (entries that must wait stay on the queue)."""
    entries = sorted(ctx.meets.suggestions_due(limit), key=lambda e: (e["meet_id"], e["participant_id"]))
    if not entries:
        return 0
    awaited = ctx.profiles.awaited()
    return sum(_suggest_for_meet(ctx, meet_id, list(group), awaited) for meet_id, group in groupby(entries, key=lambda e: e["meet_id"]))


def _suggest_for_meet(ctx: Matching, meet_id: str, entries: list[dict[str, Any]], awaited: set[str]) -> int:
    """Tell the meet's ready entries their best matches once the meet is known; a
    historical meet's entries are taken off the queue untold (nobody hears of a meet that
    was recorded after it happened)."""
    meet = ctx.meets.meet(meet_id)
    if meet is None:
        return 0
    if meet.get("historical"):
        for entry in entries:
            ctx.meets.suggestions_done(entry)
        return 0
    roster = ctx.meets.roster(meet_id)
    ready = []
    for entry in entries:
        participation = ctx.meets.participation(meet_id, entry["participant_id"])
        if not participation or participation["status"] != "approved" or participation.get("suggested_version") == participation["version"]:
            ctx.meets.suggestions_done(entry)
            continue
        role = roster.get(entry["participant_id"])
        if role and OTHER_SIDE[role] in roster.values():
            ready.append((entry, participation))
    if not ready or awaited & roster.keys():
        return 0
    profiles = ctx.profiles.many(sorted(roster))
    missing = roster.keys() - profiles.keys()
    if missing:
        ctx.profiles.await_profiles(meet_id, missing)
        return 0
    suggester = Suggester(profiles)
    told = 0
    for entry, participation in ready:
        event = messages.match_scores_updated(meet_id, entry["participant_id"], suggester.top(entry["participant_id"], TOP))
        told += ctx.meets.announce_suggestions(participation, ctx.profiles.topic, [event])
        ctx.meets.suggestions_done(entry)
    return told
