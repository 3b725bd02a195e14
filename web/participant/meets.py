"""The participant's meets: the dashboard (meets open to apply to and their applications),
one meet with its slots, and the application with availability."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web import accounts
from web.clients import ApiError, call, get_json, post_json
from web.i18n import gettext as _
from web.participant import blueprint
from web.participant.agenda import my_meetings, next_meeting, with_other_names

SHOWN_STATUSES = ("registration_open", "registration_closed", "scheduled", "live")
TIMES_CHANGEABLE = ("applied", "waitlisted", "approved")


def application(meet_id: str) -> dict | None:
    """The signed-in participant's application to ``meet_id``, or None."""
    try:
        return get_json("registration", f"/v1/meets/{meet_id}/applications/{accounts.participant_id()}")
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


def current_meets() -> list[dict]:
    """Meets open for registration, scheduled or under way, each with ``application``,
    ``times_changeable`` (the participant may choose their times again) and, once the
    participant has meetings there, ``next`` (where to go next)."""
    meets = []
    for status in SHOWN_STATUSES:
        meets += get_json("registration", "/v1/meets", params={"status": status, "limit": 50})["items"]
    for meet in meets:
        meet["application"] = application(meet["id"])
        approved = (meet["application"] or {}).get("status") == "approved"
        meet["times_changeable"] = (meet["application"] or {}).get("status") in TIMES_CHANGEABLE
        meet["next"] = upcoming(meet["id"]) if approved else None
    return meets


def upcoming(meet_id: str) -> dict | None:
    """Where the participant goes next at a meet; None also while matching cannot say (it
    has not learnt of the meet yet, or is away): the dashboard shows the rest regardless."""
    try:
        return next_meeting(with_other_names(my_meetings(meet_id)))
    except ApiError as exc:
        if exc.status == 404 or exc.status >= 500:
            return None
        raise


def availability_of(form) -> list[str] | str:
    """The application's availability from the form: the times ticked, else ``"all"`` when
    "at any time" is ticked, else nothing (the form asks again)."""
    return form.getlist("slots") or ("all" if form.get("all") else [])


@blueprint.get("/me")
@accounts.participant_required
def dashboard():
    """The signed-in participant's start page: their meets and what to do next."""
    return render_template("participant/dashboard.html", meets=current_meets())


@blueprint.route("/meets/<meet_id>/apply", methods=["GET", "POST"])
@accounts.participant_required
def apply(meet_id: str):
    """Apply to a meet with the slots one can attend (or every slot); once applied, choose
    those times again (a published meeting in a time given up is cancelled by matching)."""
    meet = get_json("registration", f"/v1/meets/{meet_id}")
    mine = application(meet_id)
    changing = bool(mine) and mine["status"] in TIMES_CHANGEABLE
    error = None
    if request.method == "POST":
        availability = availability_of(request.form)
        if not availability:
            error = _("Choose at least one time, or every time.")
        else:
            try:
                if changing:
                    call("registration", "PUT", f"/v1/meets/{meet_id}/applications/{accounts.participant_id()}/availability",
                         json={"availability": availability})
                else:
                    post_json("registration", f"/v1/meets/{meet_id}/applications", {"availability": availability})
            except ApiError as exc:
                if exc.status not in (400, 409, 412, 422):
                    raise
                error = exc.problem.get("detail") or exc.problem.get("title")
            else:
                flash(_("Your times are saved.") if changing else _("You have applied. The organisers will tell you their decision."), "ok")
                return redirect(url_for("participant.dashboard"))
    return render_template("participant/apply.html", meet=meet, error=error, mine=mine, changing=changing)
