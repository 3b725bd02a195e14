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
And they wait while the meet's roster is still changing: until nobody has joined or left
it for ``SETTLE``. Approvals come in runs (a bulk decision, a desk working through its
list), and a seller approved before any buyer, told as soon as the first buyer of a run
is in, would hear of that one buyer only, and of the others a day later at the earliest.

Counterparts approved later: once newcomers are told, every participant told earlier
whose best matches a newcomer would now enter (``Suggester.takes_in``, checked against
the stored ``suggested_floor``: the newcomers' pairs only, not the whole ranking) is
queued again (``refresh``), not before a day after they were last told: nobody hears
their matches more than once a day, and nobody hears the same list twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import groupby
from typing import Any

from services.matching import messages
from services.matching.actions.context import Matching
from services.matching.domain.suggestions import OTHER_SIDE, Suggester

BATCH = 2000
TOP = 5
QUIET = timedelta(days=1)
SETTLE = timedelta(seconds=30)


def suggest_due(ctx: Matching, limit: int = BATCH, now: datetime | None = None) -> int:
    """Work up to ``limit`` entries of the due-queue that may be worked at ``now`` (UTC,
    the clock by default) once; returns how many participants were told their best
    matches (entries that must wait stay on the queue)."""
    now = now or datetime.now(timezone.utc)
    entries = sorted(ctx.meets.suggestions_due(limit, now), key=lambda e: (e["meet_id"], e["participant_id"]))
    if not entries:
        return 0
    awaited = ctx.profiles.awaited()
    return sum(_suggest_for_meet(ctx, meet_id, list(group), awaited, now) for meet_id, group in groupby(entries, key=lambda e: e["meet_id"]))


def _suggest_for_meet(ctx: Matching, meet_id: str, entries: list[dict[str, Any]], awaited: set[str], now: datetime) -> int:
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
    roster, changed_at = ctx.meets.roster_changed_at(meet_id)
    ready = []
    for entry in entries:
        participation = ctx.meets.participation(meet_id, entry["participant_id"])
        told_before = participation and participation.get("suggested_version") == participation["version"]
        if not participation or participation["status"] != "approved" or (told_before and not entry.get("refresh")):
            ctx.meets.suggestions_done(entry)
            continue
        role = roster.get(entry["participant_id"])
        if role and OTHER_SIDE[role] in roster.values():
            ready.append((entry, participation))
    if not ready or awaited & roster.keys() or (changed_at is not None and now < changed_at + SETTLE):
        return 0
    profiles = ctx.profiles.many(sorted(roster))
    missing = roster.keys() - profiles.keys()
    if missing:
        ctx.profiles.await_profiles(meet_id, missing)
        return 0
    suggester = Suggester(profiles)
    told, newcomers = 0, []
    for entry, participation in ready:
        participant_id = entry["participant_id"]
        top = suggester.top(participant_id, TOP)
        refresh = participation.get("suggested_version") == participation["version"]
        if refresh and top == participation.get("suggested_top"):
            ctx.meets.suggestions_done(entry)
            continue
        if refresh and _quiet_until(participation) > now:
            continue
        event = messages.match_scores_updated(meet_id, participant_id, top)
        record = {"suggested_top": top, "suggested_floor": suggester.floor(participant_id, TOP), "suggested_at": now}
        if ctx.meets.announce_suggestions(participation, ctx.profiles.topic, [event], record):
            told += 1
            newcomers += [] if refresh else [participant_id]
        ctx.meets.suggestions_done(entry)
    if newcomers:
        _queue_those_who_now_suit_better(ctx, meet_id, suggester, newcomers, {e["participant_id"] for e, _ in ready}, now)
    return told


def _quiet_until(participation: dict[str, Any]) -> datetime:
    """When the participant may next be told their matches (a day after they last were)."""
    at = participation.get("suggested_at")
    return at + QUIET if at else datetime.min.replace(tzinfo=timezone.utc)


def _queue_those_who_now_suit_better(ctx: Matching, meet_id: str, suggester: Suggester, newcomers: list[str], worked: set[str],
                                     now: datetime) -> None:
    """Queue again each participant told before this run whose best matches one of the
    ``newcomers`` (told for the first time in this run) would now enter."""
    for participation in ctx.meets.approved(meet_id):
        participant_id = participation["participant_id"]
        if participant_id in worked or participation.get("suggested_version") != participation["version"] or participant_id not in suggester.profiles:
            continue
        if suggester.takes_in(participant_id, newcomers, participation.get("suggested_floor")):
            ctx.meets.queue_refresh(participation, max(now, _quiet_until(participation)))
