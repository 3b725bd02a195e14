"""The organiser's meets: the list, creating one, a meet's page and moving its status
(draft -> registration_open -> registration_closed -> scheduled -> live -> completed, or
cancelled; registration refuses moves its lifecycle does not allow)."""
from __future__ import annotations

import os
from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for

from web.clients import ApiError
from web.organiser import blueprint
from web.organiser.session import flash_problem, get, organiser_required, post

STATUSES = ("draft", "registration_open", "registration_closed", "scheduled", "live", "completed", "cancelled")
NEXT = {"draft": "registration_open", "registration_open": "registration_closed", "registration_closed": "scheduled",
        "scheduled": "live", "live": "completed"}
"""The usual next status of a meet in each status."""


def flow_url() -> str:
    """The operators' live flow page: ``BSM_OPS_FLOW_URL``, else where ``make run`` serves
    it (``BSM_OPS_PORT``, 8004)."""
    return os.environ.get("BSM_OPS_FLOW_URL") or f"http://127.0.0.1:{os.environ.get('BSM_OPS_PORT') or 8004}/flow"


def meet_body(form) -> dict:
    """The ``POST /v1/meets`` body from the create form: ``days`` are ``day_count``
    consecutive days from ``first_day``; one optional break. Unparseable dates or counts
    are left for registration to refuse (a 422 naming the field)."""
    try:
        first, count = date.fromisoformat(form.get("first_day", "")), int(form.get("day_count") or 1)
        days = [(first + timedelta(days=n)).isoformat() for n in range(max(1, min(count, 10)))]
    except ValueError:
        days = [form.get("first_day", "")]
    body = {
        "name": form.get("name", ""), "venue": form.get("venue", ""), "city": form.get("city", ""), "days": days,
        "session_start": form.get("session_start", ""), "session_end": form.get("session_end", ""),
        "breaks": [{"start": form["break_start"], "end": form.get("break_end", "")}] if form.get("break_start") else [],
    }
    for name in ("meeting_minutes", "gap_minutes", "tables", "capacity_sellers", "capacity_buyers"):
        value = form.get(name, "").strip()
        body[name] = int(value) if value.isdigit() else value
    return body


@blueprint.get("/")
@organiser_required
def meets():
    """Every meet, newest first, with its status."""
    found = get("registration", "/v1/meets", params={"limit": 100})["items"]
    return render_template("organiser/meets.html", meets=found, flow_url=flow_url())


@blueprint.route("/meets/new", methods=["GET", "POST"])
@organiser_required
def new_meet():
    """The create form; registration's 422 comes back as errors beside the fields."""
    errors, values = {}, request.form
    if request.method == "POST":
        try:
            meet = post("registration", "/v1/meets", meet_body(request.form))
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = exc.field_messages
            if "days" in errors:
                errors["first_day"] = errors.pop("days")
            if "breaks" in errors:
                errors["break_start"] = errors.pop("breaks")
        else:
            flash("Meet created.", "ok")
            return redirect(url_for("organiser.meet", meet_id=meet["id"]))
    return render_template("organiser/meet_new.html", errors=errors, values=values), 422 if errors else 200


@blueprint.get("/meets/<meet_id>")
@organiser_required
def meet(meet_id: str):
    """A meet's facts, its status and where each of the organiser's jobs is done."""
    found = get("registration", f"/v1/meets/{meet_id}")
    return render_template("organiser/meet.html", meet=found, statuses=STATUSES, next_status=NEXT.get(found["status"]),
                           flow_url=flow_url())


@blueprint.post("/meets/<meet_id>/status")
@organiser_required
def meet_status(meet_id: str):
    """Move the meet to the chosen status (409 from registration is shown, not raised)."""
    status = request.form.get("status", "")
    try:
        post("registration", f"/v1/meets/{meet_id}/status", {"status": status})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        flash_problem(exc)
    else:
        flash("The meet is now: %(status)s." % {"status": status.replace("_", " ")}, "ok")
    return redirect(url_for("organiser.meet", meet_id=meet_id))
