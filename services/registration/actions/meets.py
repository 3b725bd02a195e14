"""Creating meets, editing them and moving them through their lifecycle."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts import registration as catalogue

from services.registration.actions import Registration, Stale, retried
from services.registration.actions.availability import Followed, follow, slots_changed
from services.registration.domain.errors import Conflict, DomainError, NotFound
from services.registration.domain.meets import COMPLETED, Break, Meet
from services.registration.messages import meet_event


def _breaks(details: dict[str, Any]) -> dict[str, Any]:
    if "breaks" in details:
        details = {**details, "breaks": [Break(b["start"], b["end"]) for b in details["breaks"]]}
    return details


def _today_at(meet: Meet) -> date:
    return datetime.now(ZoneInfo(meet.timezone)).date()


def create(ctx: Registration, details: dict[str, Any]) -> Meet:
    """A new draft meet; DomainError if it cannot be run as described or its days are past
    (unless ``historical``: then they must be past)."""
    meet = Meet(**_breaks(details))
    meet.check()
    meet.check_days(_today_at(meet))
    ctx.meets.add(meet, [meet_event(catalogue.MEET_CREATED, meet)])
    return meet


def get(ctx: Registration, meet_id: str) -> tuple[Meet, dict[str, int]]:
    found = ctx.meets.get(meet_id)
    if found is None:
        raise NotFound(f"No meet {meet_id}.")
    return found


def update(ctx: Registration, meet_id: str, changes: dict[str, Any], expected_version: int) -> tuple[Meet, Followed]:
    """The edited meet, and what became of its applications' availability when the edit
    changed its slots (``actions/availability.py``). Raises Stale, NotFound, Conflict
    (not editable), DomainError."""
    current, _ = get(ctx, meet_id)
    if current.version != expected_version:
        raise Stale(current.version)
    current.ensure_editable()
    _follow_first(ctx, meet_id)
    if changes.get("historical", current.historical) != current.historical:
        raise DomainError("Whether a meet is historical is said when it is created.", "historical")
    changed = replace(current, **_breaks(changes), version=current.version + 1)
    changed.check()
    if "days" in changes or "timezone" in changes:
        changed.check_days(_today_at(changed))
    slots_before = current if slots_changed(current, changed) else None
    if not ctx.meets.save(changed, expected_version, [meet_event(catalogue.MEET_UPDATED, changed)], slots_before):
        raise Stale(get(ctx, meet_id)[0].version)
    return changed, follow(ctx, meet_id)


def _follow_first(ctx: Registration, meet_id: str) -> None:
    """Complete a remap an earlier edit left pending; Conflict while applications keep
    changing under it (a new edit would remap from slots some applications are not on)."""
    if not follow(ctx, meet_id).complete:
        raise Conflict("The meet's applications are still being brought onto its slots after the last edit: try again.", "version")


def change_status(ctx: Registration, meet_id: str, status: str, expected_version: int | None) -> Meet:
    """Move the meet in its lifecycle, once its applications are on its slots (a remap an
    edit left unfinished is completed first). The status it has already is answered with
    the meet unchanged (a retry whose first answer was lost). Without ``expected_version``
    (no If-Match) a concurrent change is settled by running again (``retried``); with it,
    a version that is not the stored one is Stale. Raises NotFound, Conflict, Stale."""
    if expected_version is None:
        return retried(lambda: _change_status(ctx, meet_id, status, None), "meet", "status")
    return _change_status(ctx, meet_id, status, expected_version)


def _change_status(ctx: Registration, meet_id: str, status: str, expected_version: int | None) -> Meet:
    current, _ = get(ctx, meet_id)
    if expected_version is not None and current.version != expected_version:
        raise Stale(current.version)
    if current.status == status:
        return current
    _follow_first(ctx, meet_id)
    previous = current.status
    current.transition(status)
    if status == COMPLETED:
        current.ensure_can_complete(datetime.now(timezone.utc))
    current.version += 1
    if not ctx.meets.save(current, current.version - 1, [meet_event(catalogue.MEET_STATUS_CHANGED, current, previous)]):
        raise Stale(get(ctx, meet_id)[0].version)
    return current
