"""The agenda: the participant's meetings, where to go next on the day, the calendar
subscription, and after a meeting its outcome and Letter of Intent. Printed, the page is
one table of the meetings (day, time, table, who, and the interpreter by name and
languages where one is assigned)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Response, abort, flash, redirect, render_template, request, session, url_for

from shared.timezones import wall_clock

from web import accounts
from web.clients import ApiError, call, get_json, post_json
from web.i18n import gettext as _
from web.participant import blueprint

OUTCOMES = ("held", "no_show_seller", "no_show_buyer", "no_show_both")


LOI_FORM_FIELDS = {"value": "amount", "value_inr": "amount"}
"""The LoI API's fields shown under another name in the form."""


def next_meeting(meetings: list[dict], now: datetime | None = None) -> dict | None:
    """The first scheduled meeting that has not ended yet, in the meet's time zone
    (``day`` ``YYYY-MM-DD``, ``end`` ``HH:MM``, ``timezone`` IANA), or None."""
    upcoming = []
    for meeting in meetings:
        if meeting.get("status") != "scheduled":
            continue
        ends = wall_clock(meeting["day"], meeting["end"], meeting.get("timezone") or "Asia/Kolkata")
        if ends > (now or datetime.now(ends.tzinfo)):
            upcoming.append((ends, meeting.get("slot_index", 0), meeting))
    return min(upcoming, key=lambda item: item[:2])[2] if upcoming else None


def my_meetings(meet_id: str) -> list[dict]:
    """Every published meeting of the participant at a meet, in slot order."""
    items, cursor = [], None
    while True:
        page = get_json("matching", f"/v1/meets/{meet_id}/meetings", params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def with_other_names(meetings: list[dict]) -> list[dict]:
    """``meetings`` with ``other_name``: the name of the other side for the signed-in participant."""
    me = accounts.participant_id()
    for meeting in meetings:
        meeting["other_name"] = meeting.get("buyer_name" if meeting["seller_id"] == me else "seller_name") or ""
    return meetings


def with_interpreter_languages(meetings: list[dict], pool: dict[str, list[str]] | None = None) -> list[dict]:
    """``meetings`` with ``interpreter_languages``: the codes of the languages their
    interpreter works in, from the meeting itself when matching sends them, else from
    ``pool`` (interpreter id -> codes: the meet's pool, which only staff may read), else
    ``[]``; a meeting without an interpreter gets ``[]``."""
    for meeting in meetings:
        interpreter = meeting.get("interpreter")
        known = meeting.get("interpreter_languages") or (pool or {}).get(interpreter or "") or []
        meeting["interpreter_languages"] = list(known) if interpreter else []
    return meetings


@blueprint.get("/meets/<meet_id>/agenda")
@accounts.participant_required
def agenda(meet_id: str):
    """The participant's meetings at a meet, the next one first, and the calendar link."""
    meetings = with_interpreter_languages(with_other_names(my_meetings(meet_id)))
    me = accounts.participant_id()
    feed = session.get("feed_token")
    calendar = url_for("participant.calendar", meet_id=meet_id, participant_id=me, token=feed, _external=True) if feed else None
    return render_template("participant/agenda.html", meet_id=meet_id, meetings=meetings, next=next_meeting(meetings), calendar=calendar)


@blueprint.post("/meets/<meet_id>/calendar-link")
@accounts.participant_required
def calendar_link(meet_id: str):
    """A new calendar feed token (earlier links stop working); the agenda shows its link."""
    answer = post_json("matching", f"/v1/participants/{accounts.participant_id()}/feed-token")
    session["feed_token"] = answer["feed_token"]
    flash(_("Your calendar link is ready: add it to your calendar app."), "ok")
    return redirect(url_for("participant.agenda", meet_id=meet_id))


@blueprint.get("/calendar/<meet_id>/<participant_id>.ics")
def calendar(meet_id: str, participant_id: str):
    """The participant's iCalendar feed, fetched from matching with the feed token in the
    link (calendar apps subscribe to it; no sign-in needed, the token opens only this feed)."""
    token = request.args.get("token", "")
    if not token:
        abort(401)
    try:
        answer = call("matching", "GET", f"/v1/meets/{meet_id}/agenda/{participant_id}.ics", token="", params={"token": token})
    except ApiError as exc:
        abort(exc.status if exc.status in (401, 403, 404) else 503)
    return Response(answer.content, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=bsm-agenda.ics"})


@blueprint.route("/meetings/<meeting_id>", methods=["GET", "POST"])
@accounts.participant_required
def meeting(meeting_id: str):
    """One meeting: record whether it was held, and the Letter of Intent if one was signed."""
    found = get_json("matching", f"/v1/meetings/{meeting_id}")
    errors: dict[str, str] = {}
    if request.method == "POST":
        outcome = request.form.get("outcome")
        if outcome not in OUTCOMES:
            errors["outcome"] = _("Choose what happened.")
        else:
            post_json("matching", f"/v1/meetings/{meeting_id}/outcome", {"outcome": outcome})
            flash(_("Thank you: the meeting is recorded."), "ok")
            return redirect(url_for("participant.meeting", meeting_id=meeting_id))
    return render_template("participant/meeting.html", meeting=found, errors=errors, loi_errors={}, form=request.form,
                           today=date.today().isoformat())


@blueprint.post("/meetings/<meeting_id>/loi")
@accounts.participant_required
def loi(meeting_id: str):
    """Record a signed Letter of Intent for a meeting."""
    form = request.form
    body = {"product": form.get("product", "").strip(), "signed_on": form.get("signed_on", ""),
            "quantity": {"value": form.get("quantity", "").strip(), "unit": form.get("unit", "").strip()},
            "value": {"amount": form.get("amount", "").strip(), "currency": form.get("currency") or "INR"},
            "delivery_terms": form.get("delivery_terms", "").strip() or None}
    try:
        post_json("matching", f"/v1/meetings/{meeting_id}/loi", body)
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        found = get_json("matching", f"/v1/meetings/{meeting_id}")
        errors = {LOI_FORM_FIELDS.get(name, name): messages for name, messages in exc.field_messages.items()} or {"form": exc.problem.get("detail") or ""}
        return render_template("participant/meeting.html", meeting=found, errors={}, loi_errors=errors, form=form,
                               today=date.today().isoformat()), 422
    flash(_("The Letter of Intent is recorded. We will ask how it goes in 30, 60 and 90 days."), "ok")
    return redirect(url_for("participant.meeting", meeting_id=meeting_id))
