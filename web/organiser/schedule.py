"""The schedule: draft it (matching refuses with 409 and the counts while it has not seen
every approval: the page shows them and offers "draft anyway"), review the draft as a grid
with what was left out and why, publish it, and watch the schedule messages go out. Each
meeting of the grid names its interpreter, if any, with their languages (from the pool)."""
from __future__ import annotations

import time
import uuid

from flask import flash, redirect, render_template, request, session, url_for

from web.clients import ApiError
from web.organiser import blueprint
from web.organiser.grid import grid, reasons
from web.organiser.interpreters import pool_of, with_interpreters
from web.organiser.people import names
from web.organiser.session import every, flash_problem, get, organiser_required, post

PUBLISHED = "publications"
"""Session key: meet id -> ``{"id": correlation id the publication was sent with, "at": epoch seconds}``."""
WATCH_SECONDS = 120
"""How long after publishing the schedule page keeps the messages' progress up to date while some are pending."""


def published_meetings(meet_id: str) -> list[dict]:
    """Every published meeting of the meet (staff see all)."""
    return every("matching", f"/v1/meets/{meet_id}/meetings")


def delivery(correlation_id: str | None) -> dict[str, int]:
    """Notifications caused by the publication, counted by status (sent, pending, failed...)."""
    if not correlation_id:
        return {}
    counts: dict[str, int] = {}
    for item in every("notifications", "/v1/notifications", {"correlation_id": correlation_id}, pages=20):
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return counts


@blueprint.get("/meets/<meet_id>/schedule")
@organiser_required
def schedule(meet_id: str):
    """The published schedule as a grid, the draft form and the publication's progress."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    meetings = with_interpreters(published_meetings(meet_id), pool_of(meet_id))
    published = session.get(PUBLISHED, {}).get(meet_id) or {}
    progress = delivery(published.get("id"))
    watching = bool(published) and time.time() - published.get("at", 0) < WATCH_SECONDS
    return render_template("organiser/schedule.html", meet=meet, grid=grid(meetings, meet["slots"], meet["tables"]), meetings=meetings,
                           published=bool(published), progress=progress, refresh=watching and (not progress or bool(progress.get("pending"))))


PRIORITIES = {"value": ["required", "value", "breaks"], "compact": ["required", "breaks", "value"]}
"""The draft form's choice of what comes after required meetings: the most value, or
people's days without breaks (matching's ``objectives``)."""


@blueprint.post("/meets/<meet_id>/schedule/draft")
@organiser_required
def draft(meet_id: str):
    """Build a draft and show it for review; a 409 shows matching's counts and the
    "draft anyway" button (``force``)."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    body = {"force": request.form.get("force") == "true"}
    for name, kind in (("max_meetings", int), ("time_limit_s", float)):
        try:
            body[name] = kind(request.form.get(name, ""))
        except ValueError:
            pass
    if request.form.get("priority") in PRIORITIES:
        body["objectives"] = PRIORITIES[request.form["priority"]]
    form = {k: request.form[k] for k in ("max_meetings", "time_limit_s", "priority") if k in request.form}
    try:
        built = post("matching", f"/v1/meets/{meet_id}/schedule/draft", body)
    except ApiError as exc:
        if exc.status == 409 and "registration_seen" in exc.problem:
            return render_template("organiser/draft_behind.html", meet=meet, problem=exc.problem, seen=exc.problem["registration_seen"],
                                   form=form), 409
        if exc.status not in (409, 422):
            raise
        flash_problem(exc)
        return redirect(url_for("organiser.schedule", meet_id=meet_id))
    return draft_page(meet, built)


@blueprint.get("/meets/<meet_id>/schedule/draft")
@organiser_required
def draft_under_review(meet_id: str):
    """The draft under review, as it was built (by this organiser or another), to review
    and publish without building another; back to the schedule page when none is built."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    try:
        built = get("matching", f"/v1/meets/{meet_id}/schedule/draft")
    except ApiError as exc:
        if exc.status != 404:
            raise
        flash("No draft has been built for this meet yet.", "error")
        return redirect(url_for("organiser.schedule", meet_id=meet_id))
    return draft_page(meet, built)


def draft_page(meet: dict, built: dict):
    """A draft (matching's ``DraftOut``) as a grid with what it left out and why, and the
    button that publishes it by its id."""
    who = names({lo[k] for lo in built["left_out"] for k in ("seller_id", "buyer_id")} | set(built["without_meetings"]))
    for m in built["meetings"]:
        who.setdefault(m["seller_id"], m.get("seller_name") or m["seller_id"])
        who.setdefault(m["buyer_id"], m.get("buyer_name") or m["buyer_id"])
    with_interpreters(built["meetings"], pool_of(meet["id"]))
    return render_template("organiser/draft.html", meet=meet, draft=built, grid=grid(built["meetings"], meet["slots"], meet["tables"]),
                           reasons=reasons(built["left_out"]), names=who)


@blueprint.post("/meets/<meet_id>/schedule/publish")
@organiser_required
def publish(meet_id: str):
    """Publish the reviewed draft (by its id: matching refuses it when another was built
    since); the schedule page then follows the messages it causes."""
    correlation = uuid.uuid4().hex
    reviewed = {"draft_id": request.form["draft_id"]} if request.form.get("draft_id") else None
    try:
        result = post("matching", f"/v1/meets/{meet_id}/schedule/publish", reviewed, headers={"X-Request-ID": correlation})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        flash_problem(exc)
    else:
        session[PUBLISHED] = {**session.get(PUBLISHED, {}), meet_id: {"id": correlation, "at": time.time()}}
        flash("Published: %(new)d new meetings of %(total)d." % {"new": result.get("newly_published", 0), "total": result.get("meetings", 0)}, "ok")
        for item in result.get("left_out", [])[:20]:
            flash(str(item), "error")
    return redirect(url_for("organiser.schedule", meet_id=meet_id))
