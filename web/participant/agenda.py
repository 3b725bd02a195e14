"""The agenda: the participant's meetings, where to go next on the day, the calendar
subscription, and once a meeting has begun its outcome, Letter of Intent and the participant's
rating of it (before, the meeting's page says when: ``shared.meeting_times``). Printed, the page is
one table of the meetings (day, time, table, who, and the interpreter by name and
languages where one is assigned)."""
from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, session, url_for

from shared.timezones import wall_clock

from shared import meeting_times

from web import accounts
from web.clients import ApiError, call, get_json, post_json
from web.i18n import day, gettext as _
from web.participant import blueprint

OUTCOMES = ("held", "no_show_seller", "no_show_buyer", "no_show_both")


LOI_FORM_FIELDS = {"value": "amount", "value_inr": "amount"}
"""The LoI API's fields shown under another name in the form."""

STARS = ("1", "2", "3", "4", "5")
"""The stars a meeting can be given, as the rating form sends them."""

CONTINUE = {"yes": True, "no": False}
"""The rating form's answer to "continue with them?" -> matching's ``wants_to_continue``."""


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


def not_yet(meeting: dict) -> str:
    """When what came of ``meeting`` can be recorded, in the page's language."""
    return _("You can record what happened and a Letter of Intent once the meeting has begun: %(day)s at %(time)s.") % {
        "day": day(meeting["day"]), "time": meeting["start"]}


def signed_on_error(meeting: dict) -> str:
    """Which dates an LoI of ``meeting`` can be signed on, in the page's language."""
    first, last = meeting_times.signed_on_range(meeting)
    return _("A Letter of Intent is signed at the meeting or after it, and not after today: a date from %(first)s to %(last)s.") % {
        "first": day(first), "last": day(last)}


def refusal(exc: ApiError, meeting: dict) -> str:
    """What matching's 409 about ``meeting`` means for the reader: that it has not begun
    (in the page's language) when so, else matching's own words."""
    if exc.status == 409 and not meeting_times.has_begun(meeting):
        return not_yet(meeting)
    return exc.problem.get("detail") or exc.problem.get("title") or ""


def my_side(meeting: dict) -> str | None:
    """``seller`` or ``buyer``: the signed-in participant's side of ``meeting`` (None if neither)."""
    me = accounts.participant_id()
    return "seller" if meeting.get("seller_id") == me else "buyer" if meeting.get("buyer_id") == me else None


def my_rating(meeting: dict) -> dict | None:
    """The signed-in participant's rating of ``meeting`` (``stars``, ``wants_to_continue``), if given."""
    return (meeting.get("ratings") or {}).get(my_side(meeting) or "")


def meeting_page(found: dict, status: int = 200, errors: dict | None = None, loi_errors: dict | None = None, form=None,
                 rating_errors: dict | None = None):
    """The meeting's page: the outcome, LoI and rating forms once it has begun, else when they
    can be filled in; ``errors``, ``loi_errors`` and ``rating_errors`` beside their forms."""
    begun = meeting_times.has_begun(found)
    first, last = meeting_times.signed_on_range(found)
    return render_template("participant/meeting.html", meeting=found, begun=begun, not_yet=None if begun else not_yet(found),
                           errors=errors or {}, loi_errors=loi_errors or {}, form=form or {}, today=last, first_day=first,
                           side=my_side(found), rating=my_rating(found), rating_errors=rating_errors or {}, stars=STARS), status


@blueprint.route("/meetings/<meeting_id>", methods=["GET", "POST"])
@accounts.participant_required
def meeting(meeting_id: str):
    """One meeting: once it has begun, record whether it was held, and the Letter of Intent
    if one was signed; before, when that can be done. Matching's refusal is shown beside the form."""
    found = get_json("matching", f"/v1/meetings/{meeting_id}")
    if request.method == "GET":
        return meeting_page(found)
    outcome = request.form.get("outcome")
    if not meeting_times.has_begun(found):
        return meeting_page(found, 409, errors={"outcome": not_yet(found)}, form=request.form)
    if outcome not in OUTCOMES:
        return meeting_page(found, 422, errors={"outcome": _("Choose what happened.")}, form=request.form)
    try:
        post_json("matching", f"/v1/meetings/{meeting_id}/outcome", {"outcome": outcome})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return meeting_page(get_json("matching", f"/v1/meetings/{meeting_id}"), exc.status, errors={"outcome": refusal(exc, found)},
                            form=request.form)
    flash(_("Thank you: the meeting is recorded."), "ok")
    return redirect(url_for("participant.meeting", meeting_id=meeting_id))


def loi_body(form) -> dict:
    """Matching's LoI body from the meeting page's form (value in rupees unless ``currency``)."""
    return {"product": form.get("product", "").strip(), "signed_on": form.get("signed_on", ""),
            "quantity": {"value": form.get("quantity", "").strip(), "unit": form.get("unit", "").strip()},
            "value": {"amount": form.get("amount", "").strip(), "currency": form.get("currency") or "INR"},
            "delivery_terms": form.get("delivery_terms", "").strip() or None}


def loi_refusal(exc: ApiError, meeting: dict) -> dict[str, str]:
    """Matching's refusal of an LoI as the form's errors: each field it named (a date of
    signing it cannot have had, in the page's language), else one line for the form."""
    errors = {LOI_FORM_FIELDS.get(name, name): messages for name, messages in exc.field_messages.items()}
    if "signed_on" in errors:
        errors["signed_on"] = signed_on_error(meeting)
    return errors or {"form": refusal(exc, meeting)}


def sent_or_shown(meeting_id: str, what: str, body: dict, found: dict, form, errors: str, refusal_of):
    """POST ``body`` to matching's ``/v1/meetings/{id}/{what}``: None when taken, else the
    meeting page again with matching's refusal (a 400 shown as 422) under ``errors``
    (``refusal_of(exc, found)``), keeping what was typed."""
    try:
        post_json("matching", f"/v1/meetings/{meeting_id}/{what}", body)
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return meeting_page(get_json("matching", f"/v1/meetings/{meeting_id}"), 422 if exc.status == 400 else exc.status,
                            **{errors: refusal_of(exc, found)}, form=form)
    return None


@blueprint.post("/meetings/<meeting_id>/loi")
@accounts.participant_required
def loi(meeting_id: str):
    """Record a signed Letter of Intent for a meeting that has begun, signed between its day
    and today at the venue; what matching refuses is shown beside the form."""
    form = request.form
    found = get_json("matching", f"/v1/meetings/{meeting_id}")
    if not meeting_times.has_begun(found):
        return meeting_page(found, 409, loi_errors={"form": not_yet(found)}, form=form)
    if not meeting_times.signed_on_possible(found, form.get("signed_on", "")):
        return meeting_page(found, 422, loi_errors={"signed_on": signed_on_error(found)}, form=form)
    refused = sent_or_shown(meeting_id, "loi", loi_body(form), found, form, "loi_errors", loi_refusal)
    if refused is not None:
        return refused
    flash(_("The Letter of Intent is recorded. We will ask how it goes in 30, 60 and 90 days."), "ok")
    return redirect(url_for("participant.meeting", meeting_id=meeting_id))


def rating_problems(form) -> dict[str, str]:
    """What the rating form lacks, in the page's language: a number of stars from 1 to 5,
    and whether to continue; empty when it can be sent."""
    problems = {}
    if form.get("stars") not in STARS:
        problems["stars"] = _("Choose from 1 to 5 stars.")
    if form.get("wants_to_continue") not in CONTINUE:
        problems["wants_to_continue"] = _("Say whether you would like to continue with them.")
    return problems


def rating_refusal(exc: ApiError, meeting: dict) -> dict[str, str]:
    """Matching's refusal of a rating as the form's errors: each field it named, else one line for the form."""
    errors = {name: text for name, text in exc.field_messages.items() if name in ("stars", "wants_to_continue")}
    return errors or {"form": refusal(exc, meeting)}


@blueprint.post("/meetings/<meeting_id>/rating")
@accounts.participant_required
def rating(meeting_id: str):
    """Rate a meeting that has begun (1 to 5 stars) and say whether to continue with the other
    side, or change that rating; what the page or matching refuses is shown beside the form."""
    form = request.form
    found = get_json("matching", f"/v1/meetings/{meeting_id}")
    if my_side(found) is None:
        abort(403)
    if not meeting_times.has_begun(found):
        return meeting_page(found, 409, rating_errors={"form": not_yet(found)}, form=form)
    problems = rating_problems(form)
    if problems:
        return meeting_page(found, 422, rating_errors=problems, form=form)
    body = {"stars": int(form["stars"]), "wants_to_continue": CONTINUE[form["wants_to_continue"]]}
    refused = sent_or_shown(meeting_id, "rating", body, found, form, "rating_errors", rating_refusal)
    if refused is not None:
        return refused
    flash(_("Thank you for rating the meeting."), "ok")
    return redirect(url_for("participant.meeting", meeting_id=meeting_id))
