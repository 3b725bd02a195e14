"""Bringing a meet's applications onto its slots after an edit changed them.

The rule is ``domain/availability.py``'s. The edit that changes the slots leaves, in the
same write as the meet, a pending remap: the new meet version and the meet before it.
``follow`` then reads the meet's applications once and writes, in bulk, each one not yet
on that version: a versioned replace carrying ``slots_version`` (so a second pass skips
it) and, when its availability changed, a new version with an
``availability_changed`` event. An application whose write lost a race (a decision
landed first) is read again and done again. The remap is forgotten last, so a process
that died part-way leaves it pending, and the meet's next edit or status change
completes it first, without repeating what was written.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.registration.actions import Registration
from services.registration.domain.applications import Application
from services.registration.domain.availability import Remap
from services.registration.domain.meets import Meet
from services.registration.messages import availability_changed

BATCH = 50
"""Applications per bulk write, so that each stays well inside the API's per-operation
bound (``BSM_REQUEST_DB_SECONDS``). (The local stack splits any bulk write into commands
FerretDB can answer: deploy/local/write_guard.py.)"""
ROUNDS = 5


@dataclass(frozen=True)
class Followed:
    """What a remap did: applications whose availability changed, and how many of them
    are left with no slot (kept, but nobody can meet them until they choose again)."""

    changed: int = 0
    without_slots: int = 0
    complete: bool = True

    def __add__(self, other: Followed) -> Followed:
        return Followed(self.changed + other.changed, self.without_slots + other.without_slots, self.complete and other.complete)


def slots_changed(before: Meet, after: Meet) -> bool:
    return before.slots() != after.slots()


def follow(ctx: Registration, meet_id: str) -> Followed:
    """Complete the meet's pending remap, if any, onto the meet's slots as stored now
    (read after the pending remap, so an edit that landed meanwhile, with its own remap,
    is the one followed). If applications kept changing under it for ``ROUNDS`` rounds,
    what was done is answered with ``complete`` False: the remap stays pending, and the
    meet cannot be edited or move on until it is complete."""
    pending = ctx.meets.pending_remap(meet_id)
    if pending is None:
        return Followed()
    version, before = pending
    found = ctx.meets.get(meet_id)
    if found is None:
        return Followed()
    meet = found[0]
    done = Followed()
    waiting = [a for a in ctx.applications.of_meet(meet.id) if not _on(a, version)]
    for _ in range(ROUNDS):
        lost = []
        for start in range(0, len(waiting), BATCH):
            followed, raced = _write(ctx, waiting[start:start + BATCH], before, meet, version)
            done, lost = done + followed, lost + raced
        waiting = [a for a in (ctx.applications.get(i) for i in lost) if a is not None and not _on(a, version)]
        if not waiting:
            ctx.meets.remap_done(meet.id, version)
            return done
    return done + Followed(complete=False)


def follow_one(ctx: Registration, application: Application, before: Meet, after: Meet) -> Application:
    """Bring one application made on ``before`` onto ``after``'s slots (an application that
    landed while the meet was being edited); it is answered as stored."""
    _write(ctx, [application], before, after, after.version)
    return ctx.applications.get(application.id) or application


def _on(application: Application, version: int) -> bool:
    return application.slots_version is not None and application.slots_version >= version


def _write(ctx: Registration, applications: list[Application], before: Meet, after: Meet, version: int) -> tuple[Followed, list[str]]:
    """Write the applications onto ``after``'s slots in one bulk write: what the writes
    that landed did, and the ids of those whose stored version had moved on."""
    writes, outcomes = [], {}
    remap = Remap(before, after)
    for application in applications:
        expected = application.version
        result = remap(application.availability, application.all_slots)
        changed = result.availability != application.availability
        application.availability, application.all_slots, application.slots_version = result.availability, result.all_slots, version
        application.version += int(changed)
        outcomes[application.id] = (application.version, Followed(1, int(not result.availability)) if changed else Followed())
        writes.append((application, expected, [availability_changed(application, after)] if changed else []))
    landed = ctx.applications.save_each(writes)
    if landed < len(writes):
        stored = {a.id: a for a in (ctx.applications.get(i) for i in outcomes) if a is not None}
        outcomes = {i: o for i, o in outcomes.items() if i in stored and stored[i].version == o[0] and _on(stored[i], version)}
    done = Followed()
    for _, followed in outcomes.values():
        done += followed
    return done, [a.id for a in applications if a.id not in outcomes]
