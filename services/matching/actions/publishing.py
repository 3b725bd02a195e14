"""Publishing the reviewed draft, in chunks that a retry completes, and repairing a
published schedule when someone drops out."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from services.matching import messages
from services.matching.actions.context import Invalid, Matching, Refused, meet_of
from services.matching.actions.interpreters import one_change_at_a_time
from services.matching.actions.meet_changes import Unsettled, follow_meet
from services.matching.actions.occupying import add_meeting, cancel_meeting, claim_fields
from services.matching.actions.schedules import NAMES, as_meeting, draft_meeting, party_names, problem_of
from services.matching.domain.participants import ParticipantProfile
from services.matching.domain import publication
from services.matching.domain.meet_changes import layout
from services.matching.domain.places import meeting_places
from services.matching.domain.publication import started_slots
from services.matching.domain.scheduling import Schedule, repair

log = logging.getLogger(__name__)


POOL_WAIT_SECONDS = 5.0
"""How long a publication waits for a change of the meet's interpreter pool to end."""


def publish_schedule(ctx: Matching, meet_id: str, reviewed: str | None = None) -> dict[str, Any]:
    """Publish the reviewed draft: each meeting document once, inserted a chunk at a time
    with one document carrying the chunk's ``meeting.scheduled`` events, then
    ``schedule.published``. A publication that stopped part-way is completed by calling
    again; a draft already published is not announced twice. Every meeting's places are
    taken before any is written: if meetings added since the draft was built (walk-ins,
    repairs) hold some, nothing is published (Refused, build a new draft); when completing
    a publication already begun, the clashing meetings are left out and listed in
    ``left_out`` with the reason. A draft built before the meet's slots or tables changed
    is Refused (build a new one); when completing a publication begun before the change,
    its meetings outside them are left out, and the others take their slot's index now.
    The same for a draft whose new meetings are in slots that have begun since it was
    built (refused; left out when completing), but for a historical meet's.
    The meet is followed once the publication is complete (``meet_changes``: an edit
    heard while it ran waited for it). ``reviewed``: the id of the draft the organiser reviewed;
    Refused when the latest draft is another (built since).

    The publication holds the meet's interpreter pool throughout (``interpreters``): a
    change of the pool meanwhile would hand over only the meetings already written, and
    those of later chunks would be written with an interpreter no longer on duty. It waits
    up to ``POOL_WAIT_SECONDS`` for a change under way. Raises NotFound, Refused."""
    meet_of(ctx, meet_id)
    with one_change_at_a_time(ctx, meet_id, wait=POOL_WAIT_SECONDS):
        return _publish(ctx, meet_id, reviewed)


def _publish(ctx: Matching, meet_id: str, reviewed: str | None) -> dict[str, Any]:
    meet = meet_of(ctx, meet_id)
    stored = ctx.schedules.get(meet_id) or {}
    draft = stored.get("draft")
    if not draft:
        raise Refused("There is no draft schedule to publish: build one first.")
    draft_id = draft.get("id") or f"{draft['built_at'].timestamp():.6f}"
    if reviewed is not None and reviewed != draft_id:
        raise Refused(f"Draft {reviewed} is not the latest: draft {draft_id} was built since. Review that one and publish it by its id.")
    summary = {"meetings": len(draft["meetings"]), "stats": draft["stats"]}
    if (stored.get("published") or {}).get("draft_id") == draft_id and stored.get("publishing") != draft_id:
        return {**summary, "newly_published": 0}
    pending = publication.to_publish(draft["meetings"])
    begun = stored.get("publishing") == draft_id
    off_the_meet = publication.off_the_meet(meet_id, pending, meet["slots"], meet["tables"])
    if off_the_meet and not begun:
        reasons = "; ".join(sorted(set(off_the_meet.values()))[:3])
        raise Refused(f"The meet changed since this draft was built ({reasons}): build a new draft.")
    late = {} if meet.get("historical") else publication.too_late(meet_id, pending, started_slots(meet["slots"], meet["timezone"], ctx.clock()))
    if late and not begun:
        reasons = "; ".join(sorted(set(late.values()))[:3])
        raise Refused(f"{len(late)} meetings of this draft are in slots that have begun since it was built ({reasons}): build a new draft.")
    off_the_meet = {**late, **off_the_meet}
    pool = ctx.interpreters.for_meet(meet_id)
    works = {i["interpreter_id"]: set(i["availability"]) for i in pool}
    off_duty = sorted({f"interpreter {m['interpreter']} no longer works slot {m['slot_id']}" for m in pending
                       if m.get("interpreter") and m["slot_id"] not in works.get(m["interpreter"], ())})
    if off_duty and not begun:
        raise Refused(f"The interpreter pool changed since this draft was built ({'; '.join(off_duty[:3])}): build a new draft.")
    slots = {s["id"]: s for s in meet["slots"]}
    unnamed = sorted({w for m in pending if not set(NAMES) <= m.keys() for w in (m["seller_id"], m["buyer_id"])})
    profiles = ctx.profiles.many(unnamed) if unnamed else {}
    interpreters = interpreter_pool(ctx, meet_id, pool)

    def docs_of(meetings: list[dict[str, Any]], left_out: dict[str, str]) -> list[dict[str, Any]]:
        docs = (meeting_doc(meet, m, slots, profiles, interpreters) for m in publication.placed(meetings, meet["slots"]))
        return [d for d in docs if d["_id"] not in left_out]

    left_out = {**off_the_meet, **_claim_places(ctx, meet, draft_id, docs_of(pending, off_the_meet), begun)}
    if left_out:
        summary["left_out"] = left_out
    ctx.schedules.begin_publication(meet_id, draft_id)
    created = 0
    for number, part in publication.chunks(pending, publication.CHUNK_SIZE):
        chunk = publication.chunk_id(meet_id, draft_id, number)
        if ctx.meetings.chunk_done(chunk):
            ctx.meetings.list_chunk(meet_id, chunk)
            continue
        docs = docs_of(part, left_out)
        created += ctx.meetings.publish_chunk(meet_id, chunk, docs, [messages.meeting_event(messages.MEETING_SCHEDULED, d) for d in docs])
    published = {"at": datetime.now(timezone.utc), "meetings": len(draft["meetings"]), **{k: draft["stats"][k] for k in ("value", "upper_bound")}}
    held = [m for m in draft["meetings"] if f"{meet_id}:{m['seller_id']}:{m['buyer_id']}" not in left_out]
    ctx.schedules.mark_published(meet_id, draft_id, published, [messages.schedule_published(meet_id, published, held)])
    try:
        _follow_after(ctx, meet)
    except Unsettled:
        log.warning("meet %s changed during its publication and its meetings are still changing; its next event follows it", meet_id)
    return {**summary, "newly_published": created}


def _follow_after(ctx: Matching, meet: dict[str, Any]) -> None:
    """After a publication: every meeting it wrote fits the meet as it was read at its
    start, so when the meet has not changed since and the meetings before were followed
    onto that layout (or none was recorded: no meet event was heard), the layout is noted
    as followed; otherwise the meet is followed now (``meet_changes``)."""
    now = ctx.meets.meet(meet["_id"]) or meet
    layout_now = layout(now["slots"], now["tables"], now["timezone"])
    if layout_now == layout(meet["slots"], meet["tables"], meet["timezone"]) and ctx.meetings.followed(meet["_id"]) in (None, layout_now):
        ctx.meetings.mark_followed(meet["_id"], layout_now)
    else:
        follow_meet(ctx, meet["_id"])


def interpreter_pool(ctx: Matching, meet_id: str, pool: list[dict[str, Any]] | None = None) -> dict[str, dict]:
    """Interpreter id -> ``{"name", "languages"}`` (language codes), for the meet's pool
    (``pool``: the pool's entries, when the caller has read them already)."""
    entries = ctx.interpreters.for_meet(meet_id) if pool is None else pool
    return {i["interpreter_id"]: {"name": i["name"], "languages": list(i.get("languages") or [])} for i in entries}


def meeting_doc(meet: dict, m: dict, slots: dict, profiles: dict[str, ParticipantProfile], interpreters: dict[str, dict] | None = None) -> dict[str, Any]:
    """The published meeting document of a draft meeting ``m`` (names from ``m`` if it has
    them; the interpreter's name and languages from ``interpreters``, id -> ``{"name",
    "languages"}`` as ``interpreter_pool`` gives, so that messages and agendas name them
    without the pool, which participants do not see)."""
    slot = slots[m["slot_id"]]
    interpreter = (interpreters or {}).get(m["interpreter"]) if m.get("interpreter") else None
    names = {k: m[k] for k in NAMES} if set(NAMES) <= m.keys() else party_names(profiles.get(m["seller_id"]), profiles.get(m["buyer_id"]))
    return {
        "_id": f"{meet['_id']}:{m['seller_id']}:{m['buyer_id']}",
        "meet_id": meet["_id"], "seller_id": m["seller_id"], "buyer_id": m["buyer_id"],
        "slot_id": m["slot_id"], "slot_index": m["slot_index"], "day": slot["day"], "start": slot["start"], "end": slot["end"],
        "table": m["table"], "timezone": meet["timezone"], "reasons": m["reasons"], "kind": m["kind"], "value": m["value"],
        "interpreter": m.get("interpreter"),
        "interpreter_name": interpreter["name"] if interpreter else None,
        "interpreter_languages": list(interpreter["languages"]) if interpreter else [],
        "status": "scheduled", "version": 1,
        **names,
    }


DEFAULT_MAX_MEETINGS = 12
"""A repair's maximum meetings per person when no draft says it (the draft's own default)."""


def cancel_participant(ctx: Matching, meet_id: str, participant_id: str, reason: str, max_meetings: int | None = None) -> dict[str, Any]:
    """Someone cancelled or did not show: drop their meetings (giving back their places)
    and fill the freed places without moving anyone else's meeting, in slots still to
    come only, within the published draft's maximum meetings per person (``max_meetings``
    overrides it); a fill-in whose place was taken meanwhile is not added. Every change
    is announced by an event. Raises NotFound, Invalid (``participant_id`` neither takes
    part in the meet nor has a meeting in it), Refused (nothing published)."""
    meet = meet_of(ctx, meet_id)
    published = ctx.meetings.placements(meet_id)
    if not ctx.meets.participation(meet_id, participant_id) and not any(participant_id in (p["seller_id"], p["buyer_id"]) for p in published):
        raise Invalid(f"{participant_id} does not take part in this meet.", "participant_id")
    if not published:
        raise Refused("There is no published schedule to repair.")
    draft = (ctx.schedules.get(meet_id) or {}).get("draft") or {}
    problem, reasons, profiles, _ = problem_of(ctx, meet, max_meetings or draft.get("max_meetings") or DEFAULT_MAX_MEETINGS)
    current = Schedule([as_meeting(p) for p in published], [], 0.0, 0.0)
    scheduled = {m.pair for m in current.meetings}
    current.unscheduled = [c for c in problem.candidates if c.pair not in scheduled]
    _, dropped, added = repair(current, problem, {participant_id})
    by_pair = {(p["seller_id"], p["buyer_id"]): p["meeting_id"] for p in published}
    for doc in ctx.meetings.many(by_pair[m.pair] for m in dropped):
        cancel_meeting(ctx, doc, reason, cancelled_participant=participant_id)
    slots = {s["id"]: s for s in meet["slots"]}
    interpreters = interpreter_pool(ctx, meet_id)
    added_ids = []
    for meeting in added:
        doc = meeting_doc(meet, draft_meeting(meeting, problem, reasons, profiles), slots, profiles, interpreters)
        try:
            if add_meeting(ctx, doc, [messages.meeting_event(messages.MEETING_SCHEDULED, doc)]):
                added_ids.append(doc["_id"])
        except Refused:
            continue  # its place was taken meanwhile (a walk-in, another repair): it is not added
    return {"cancelled": [f"{meet_id}:{m.seller_id}:{m.buyer_id}" for m in dropped], "added": added_ids, "moved": []}


def _claim_places(ctx: Matching, meet: dict[str, Any], draft_id: str, docs: list[dict[str, Any]], begun: bool) -> dict[str, str]:
    """Take the places of every meeting to publish. Returns meeting id -> why it is left
    out (its places are held by other meetings) when the publication has ``begun``.
    Raises Refused (giving back what this call took) if it has not."""
    claims = [(d["_id"], meeting_places(meet["_id"], d), claim_fields(d, draft_id)) for d in docs]
    taken, refused = ctx.occupancy.claim_many(claims)
    if refused and not begun:
        for holder, keys in taken.items():
            ctx.occupancy.release(holder, keys)
        reasons = "; ".join(sorted({r for rs in refused.values() for r in rs})[:5])
        raise Refused(f"Meetings added since the draft was built hold some of its places ({reasons}): build a new draft.")
    return {holder: "; ".join(reasons) for holder, reasons in refused.items()}
