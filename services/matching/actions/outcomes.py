"""After a meeting: its outcome, the Letter of Intent, its follow-ups, and ratings."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timezone
from typing import Any, Iterator

from shared.money import Money
from shared.retrying import again_while_raced

from services.matching import messages
from services.matching.actions.context import Invalid, Matching, NotFound, Raced, Refused
from services.matching.domain import after_meeting, follow_ups


def meeting(ctx: Matching, meeting_id: str) -> dict[str, Any]:
    """A published meeting. Raises NotFound."""
    found = ctx.meetings.get(meeting_id)
    if found is None:
        raise NotFound(f"No meeting {meeting_id}.")
    return found


@contextmanager
def _as_request_errors() -> Iterator[None]:
    """The rules of ``domain.after_meeting`` as the errors views map: Refused, Invalid."""
    try:
        yield
    except after_meeting.NotBegun as exc:
        raise Refused(str(exc)) from None
    except after_meeting.ImpossibleDate as exc:
        raise Invalid(str(exc), exc.field) from None


SIGNED, CORRECTED = "signed", "corrected"
CHANGED_MEANWHILE = "The meeting kept changing while this was recorded: try again."


def record_outcome(ctx: Matching, meeting_id: str, outcome: str) -> dict[str, Any]:
    """Held, or who did not show, once the meeting has begun (``domain.after_meeting``).
    Like every change of a meeting here (the caller names no version), a write that lost
    to a concurrent one is decided again on the meeting as it is then. Raises NotFound,
    Refused (not begun yet; Raced if it kept changing)."""
    return again_while_raced(lambda: _record_outcome(ctx, meeting_id, outcome), Raced)


def _record_outcome(ctx: Matching, meeting_id: str, outcome: str) -> dict[str, Any]:
    current = meeting(ctx, meeting_id)
    with _as_request_errors():
        after_meeting.ensure_begun(current, ctx.clock())
    if current.get("outcome") == outcome:
        return current
    fields = {"outcome": outcome, "status": "held" if outcome == "held" else "no_show"}
    if not ctx.meetings.update(meeting_id, current["version"], fields, [messages.outcome_recorded({**current, **fields})]):
        raise Raced(CHANGED_MEANWHILE)
    return {**current, **fields, "version": current["version"] + 1}


def sign_loi(ctx: Matching, meeting_id: str, details: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Record a signed LoI with follow-ups due at 30/60/90 days, queued for the worker:
    (the meeting, what was done: ``SIGNED`` (the meeting's first LoI), ``CORRECTED``, or
    None when it already held this very LoI), decided on the meeting as the write found
    it (two first LoIs sent at once: one is signed, the other corrects it or finds it
    made, as if it came second). Follow-ups already past when
    the LoI is recorded (an LoI of a meet recorded after the fact) collapse into one status
    request due today; different terms on a meeting with an LoI correct it, keeping where
    it stands (``domain.follow_ups.recorded_loi``). The meeting must have begun and
    ``signed_on`` (a date) lie between its day and today at the venue
    (``domain.after_meeting``). Raises NotFound, Refused (not begun yet, not held, changed
    meanwhile), Invalid (``signed_on``)."""
    return again_while_raced(lambda: _sign_loi(ctx, meeting_id, details), Raced)


def _sign_loi(ctx: Matching, meeting_id: str, details: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    current = meeting(ctx, meeting_id)
    now = ctx.clock()
    with _as_request_errors():
        after_meeting.check_loi(current, details["signed_on"], now)
    if current.get("outcome") not in (None, "held"):
        raise Refused("A Letter of Intent follows a meeting that was held.")
    value = Money.parse(details["value"]["amount"], details["value"]["currency"])
    value_inr = value if value.currency == "INR" else Money.parse(details["value_inr"])
    terms = {
        "product": details["product"],
        "quantity": details["quantity"],
        "value": value.to_dict(),
        "value_inr": str(value_inr.amount),
        "delivery_terms": details.get("delivery_terms"),
        "signed_on": details["signed_on"].isoformat(),
    }
    loi = follow_ups.recorded_loi(current.get("loi"), terms, now.astimezone(timezone.utc).date())
    if loi is None:
        return current, None
    fields = {"loi": loi, "outcome": "held", "status": "held", "next_follow_up_due": _next_due(loi)}
    ctx.meetings.queue_follow_up(meeting_id, fields["next_follow_up_due"])
    if not ctx.meetings.update(meeting_id, current["version"], fields, [messages.loi_signed({**current, **fields})]):
        raise Raced(CHANGED_MEANWHILE)
    return {**current, **fields, "version": current["version"] + 1}, CORRECTED if current.get("loi") else SIGNED


def follow_up(ctx: Matching, meeting_id: str, details: dict[str, Any]) -> dict[str, Any]:
    """Where an LoI stands: in negotiation, an order placed (with its value), or lapsed.
    Raises NotFound, Refused (no LoI; Raced if the meeting kept changing)."""
    return again_while_raced(lambda: _follow_up(ctx, meeting_id, details), Raced)


def _follow_up(ctx: Matching, meeting_id: str, details: dict[str, Any]) -> dict[str, Any]:
    current = meeting(ctx, meeting_id)
    loi = current.get("loi")
    if not loi:
        raise Refused("This meeting has no Letter of Intent to follow up.")
    today = ctx.clock().astimezone(timezone.utc).date().isoformat()
    loi = {**loi, "status": details["status"], "history": loi.get("history", []) + [{"on": today, "status": details["status"], "note": details.get("note")}]}
    loi["follow_up"] = [{**f, "status": "done"} if f["due"] <= today or details["status"] != "in_negotiation" else f for f in loi["follow_up"]]
    if details.get("order_value"):
        order = Money.parse(details["order_value"]["amount"], details["order_value"]["currency"])
        loi["order"] = {"value": order.to_dict(), "value_inr": str((order if order.currency == "INR" else Money.parse(details["order_value_inr"])).amount)}
    fields = {"loi": loi, "next_follow_up_due": _next_due(loi)}
    dues = [d for d in (current.get("next_follow_up_due"), fields["next_follow_up_due"]) if d]
    if dues:
        ctx.meetings.queue_follow_up(meeting_id, min(dues))
    if not ctx.meetings.update(meeting_id, current["version"], fields, [messages.loi_followed_up({**current, "loi": loi})]):
        raise Raced(CHANGED_MEANWHILE)
    ctx.meetings.queue_follow_up(meeting_id, fields["next_follow_up_due"])
    return {**current, "loi": loi, "version": current["version"] + 1}


def _next_due(loi: dict[str, Any]) -> str | None:
    return follow_ups.next_due(loi["follow_up"])


def announce_follow_ups_due(ctx: Matching, today: date) -> int:
    """Mark each LoI follow-up that has come due and announce it, once: the version guard
    means a second worker's attempt on the same meeting changes nothing. Works the
    follow-ups due-queue (as long as the follow-ups pending, not the meetings ever held)
    and leaves each entry at its meeting's next due date, or takes it off."""
    announced = 0
    for meeting_id, current in ctx.meetings.follow_ups_due(today.isoformat()):
        if current and current.get("loi") and current.get("next_follow_up_due") and current["next_follow_up_due"] <= today.isoformat():
            announced += _announce_due(ctx, current, today)
            current = ctx.meetings.get(meeting_id)
        ctx.meetings.queue_follow_up(meeting_id, (current or {}).get("next_follow_up_due"))
    return announced


def _announce_due(ctx: Matching, current: dict[str, Any], today: date) -> int:
    follow_up, announced = follow_ups.take_due(follow_ups.with_days(current["loi"]["follow_up"]), today)
    loi = {**current["loi"], "follow_up": follow_up}
    events = [messages.follow_up_due({**current, "loi": loi}, announced["due"], announced["days"])] if announced else []
    if ctx.meetings.update(current["_id"], current["version"], {"loi": loi, "next_follow_up_due": _next_due(loi)}, events):
        return len(events)
    return 0


def rate(ctx: Matching, meeting_id: str, participant_id: str, stars: int, wants_to_continue: bool) -> dict[str, Any]:
    """One side's rating of the meeting, once it has begun (``domain.after_meeting``).
    Raises NotFound, Refused (not begun yet; Raced if the meeting kept changing)."""
    return again_while_raced(lambda: _rate(ctx, meeting_id, participant_id, stars, wants_to_continue), Raced)


def _rate(ctx: Matching, meeting_id: str, participant_id: str, stars: int, wants_to_continue: bool) -> dict[str, Any]:
    current = meeting(ctx, meeting_id)
    with _as_request_errors():
        after_meeting.ensure_begun(current, ctx.clock())
    side = "seller" if participant_id == current["seller_id"] else "buyer"
    ratings = {**current.get("ratings", {}), side: {"stars": stars, "wants_to_continue": wants_to_continue}}
    if not ctx.meetings.update(meeting_id, current["version"], {"ratings": ratings}, []):
        raise Raced(CHANGED_MEANWHILE)
    return {**current, "ratings": ratings, "version": current["version"] + 1}

