"""Applying to a meet, and the organiser's decisions, with capacity enforced."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Callable, TypeVar

from shared.auth import Principal

from services.registration.actions import Registration, Stale, retried
from services.registration.actions import meets as meet_actions
from services.registration.actions import participants as participant_actions
from services.registration.actions.availability import follow_one, slots_changed
from services.registration.domain.applications import ALL_SLOTS, APPROVED, DECISIONS, REJECTED, WITHDRAWN, Application, application_id, check_availability
from services.registration.domain.errors import Conflict, NotFound
from services.registration.domain.meets import Meet
from services.registration.messages import availability_changed, participation_event

T = TypeVar("T")


def apply(ctx: Registration, meet_id: str, participant_id: str, availability: list[str] | str) -> Application:
    """Apply with the slot ids one can attend, or ``ALL_SLOTS`` for every slot of the meet.
    Raises NotFound, Conflict (registration not open, applied before), DomainError.
    An edit of the meet's slots that landed meanwhile is followed at once."""
    meet, _ = meet_actions.get(ctx, meet_id)
    participant = participant_actions.get(ctx, participant_id)
    meet.ensure_accepting_applications(datetime.now(timezone.utc))
    chosen, all_slots = _chosen(meet, availability)
    application = Application(meet.id, participant.id, participant.role, chosen, all_slots=all_slots, slots_version=meet.version)
    ctx.applications.add(application, [participation_event(application, meet)])
    return _on_the_meet_now(ctx, application, meet)


def apply_once(ctx: Registration, meet_id: str, participant_id: str, availability: list[str] | str) -> tuple[Application, bool]:
    """``apply``, answering an application already made with the same times (a retried bulk
    item) with itself and False instead of a Conflict; True when this call applied. An
    application already made with other times is still a Conflict (naming
    ``availability``): it is not this item's, and reporting it unchanged would hide that
    the times asked for were not taken (they change with ``change_availability``)."""
    try:
        return apply(ctx, meet_id, participant_id, availability), True
    except Conflict as exc:
        if exc.existing_id is None:
            raise
    existing = get(ctx, meet_id, participant_id)
    meet, _ = meet_actions.get(ctx, meet_id)
    chosen, all_slots = _chosen(meet, availability)
    if (chosen, all_slots) != (sorted(existing.availability), bool(existing.all_slots)):
        raise Conflict("This participant has already applied to this meet with other times: change them on their application "
                       f"(PUT /v1/meets/{meet_id}/applications/{participant_id}/availability).", "availability", existing.id)
    return existing, False


def decide_once(ctx: Registration, meet_id: str, participant_id: str, decision: str, reason: str | None, by: Principal) -> tuple[Application, bool]:
    """``decide``, and whether it changed the application (False: it had that decision)."""
    return _status_change(ctx, meet_id, participant_id, "decision", lambda meet: _decide(ctx, meet, participant_id, decision, reason, by))


def get(ctx: Registration, meet_id: str, participant_id: str) -> Application:
    application = ctx.applications.get(application_id(meet_id, participant_id))
    if application is None:
        raise NotFound(f"No application of {participant_id} to meet {meet_id}.")
    return application


def decide(ctx: Registration, meet_id: str, participant_id: str, decision: str, reason: str | None, by: Principal) -> Application:
    """Approve, reject or waitlist. Approval takes a place atomically; a full meet is a 409.
    The decision the application already has is answered with it unchanged (a retry whose
    first answer was lost), with no second event and no second place. One status change of
    an application runs at a time (a lease, ``_status_change``), so the same
    decision sent many times at once is made once and the others find it made: a place is
    never taken twice for one application, not even for a moment in which another
    applicant would be refused. Raises NotFound, Conflict, DomainError, Busy."""
    return decide_once(ctx, meet_id, participant_id, decision, reason, by)[0]


def _decide(ctx: Registration, meet, participant_id: str, decision: str, reason: str | None, by: Principal) -> tuple[Application, bool]:
    application = get(ctx, meet.id, participant_id)
    if application.status == DECISIONS[decision]:
        return application, False
    before = application.status
    application.move_to(DECISIONS[decision], by.subject, reason)
    capacity = meet.capacity_sellers if application.role == "seller" else meet.capacity_buyers
    if application.status == APPROVED and not ctx.meets.take_place(meet.id, application.role, capacity):
        raise Conflict(f"The meet is full for {application.role}s ({capacity}); waitlist instead.", "decision")
    return _save(ctx, application, before, meet), True


def withdraw(ctx: Registration, meet_id: str, participant_id: str, reason: str | None, by: Principal) -> Application:
    """Withdraw an application (a second withdrawal answers with it unchanged); one status
    change of an application at a time, as ``decide``."""
    return _status_change(ctx, meet_id, participant_id, "reason", lambda meet: _withdraw(ctx, meet, participant_id, reason, by))


def _withdraw(ctx: Registration, meet, participant_id: str, reason: str | None, by: Principal) -> Application:
    application = get(ctx, meet.id, participant_id)
    if application.status == WITHDRAWN:
        return application
    before = application.status
    application.move_to(WITHDRAWN, by.subject, reason)
    return _save(ctx, application, before, meet)


def _status_change(ctx: Registration, meet_id: str, participant_id: str, field: str, change: Callable[[Meet], T]) -> T:
    """``change(meet)`` of the application's status on a running meet, holding the
    application's lease (``shared/leases.py``; ``Busy``, a 409, if another change keeps it
    past the wait) and run again while its write loses a race (``retried``, naming
    ``field``): one status change of an application at a time."""
    meet, _ = meet_actions.get(ctx, meet_id)
    meet.ensure_running()
    with ctx.leases.held(f"application:{application_id(meet_id, participant_id)}"):
        return retried(lambda: change(meet), "application", field)


def change_availability(ctx: Registration, meet_id: str, participant_id: str, availability: list[str] | str) -> Application:
    """The times one can attend, chosen again (slot ids of the meet as it is now, or
    ``ALL_SLOTS``): a new version of the application with ``availability_changed``, which
    matching follows (a published meeting in a slot given up is cancelled). The same
    choice again changes nothing. Raises NotFound, Conflict (the meet is completed or
    cancelled; the application was rejected or withdrawn), DomainError (no slot, or slots
    not of the meet). A concurrent change is settled by running again (``retried``). An
    edit of the meet's slots that landed meanwhile is followed at once."""
    return retried(lambda: _change_availability(ctx, meet_id, participant_id, availability), "application", "availability")


def _change_availability(ctx: Registration, meet_id: str, participant_id: str, availability: list[str] | str) -> Application:
    meet, _ = meet_actions.get(ctx, meet_id)
    meet.ensure_running()
    application = get(ctx, meet_id, participant_id)
    if application.status in (REJECTED, WITHDRAWN):
        raise Conflict(f"The application was {application.status}: its times can no longer change.", "availability")
    chosen, all_slots = _chosen(meet, availability)
    if (chosen, all_slots, application.slots_version) == (sorted(application.availability), bool(application.all_slots), meet.version):
        return application
    expected = application.version
    changed = replace(application, availability=chosen, all_slots=all_slots, slots_version=meet.version, version=expected + 1)
    if not ctx.applications.save(changed, expected, [availability_changed(changed, meet)]):
        raise Stale(get(ctx, meet_id, participant_id).version)
    return _on_the_meet_now(ctx, changed, meet)


def _chosen(meet, availability: list[str] | str) -> tuple[list[str], bool]:
    """(the slot ids chosen, sorted and distinct; whether every slot was chosen) from a
    request's ``availability`` (slot ids or ``ALL_SLOTS``). Raises DomainError."""
    all_slots = availability == ALL_SLOTS
    if all_slots:
        availability = [slot.id for slot in meet.slots()]
    check_availability(availability, meet.unknown_slots(availability))
    return sorted(set(availability)), all_slots


def _on_the_meet_now(ctx: Registration, application: Application, meet) -> Application:
    """``application``, written on ``meet``'s slots, brought onto the meet as stored now if
    an edit of its slots landed meanwhile."""
    now, _ = meet_actions.get(ctx, meet.id)
    if slots_changed(meet, now):
        return follow_one(ctx, application, meet, now)
    return application


def _approved_after(ctx: Registration, application: Application, before: str) -> dict:
    """The meet's approved counts once this decision is saved (a place taken for an
    approval is counted already; one given back is counted off here, as ``_save`` frees it
    after the write), stamped with the decision's time."""
    _, approved = meet_actions.get(ctx, application.meet_id)
    counts = {role: int(approved.get(role, 0)) for role in ("seller", "buyer")}
    if before == APPROVED and application.status != APPROVED:
        counts[application.role] -= 1
    return {**counts, "as_of": (application.decided_at or datetime.now(timezone.utc)).isoformat()}


def _save(ctx: Registration, application: Application, before: str, meet) -> Application:
    expected = application.version
    application.version += 1
    if not ctx.applications.save(application, expected, [participation_event(application, meet, _approved_after(ctx, application, before))]):
        if application.status == APPROVED:
            ctx.meets.free_place(meet.id, application.role)
        raise Stale(get(ctx, meet.id, application.participant_id).version)
    if before == APPROVED and application.status != APPROVED:
        ctx.meets.free_place(meet.id, application.role)
    return application


