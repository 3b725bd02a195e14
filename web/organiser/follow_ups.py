"""Where each Letter of Intent of a meet stands, recorded by the organisers from their
follow-up calls (``POST /v1/meetings/{id}/loi/follow-up``: in negotiation, order placed with
its value, or lapsed); it feeds the results' LoI-to-order conversion."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web.organiser import blueprint
from web.organiser.day import attempt
from web.organiser.schedule import published_meetings
from web.organiser.session import get, organiser_required, post

STATUSES = ("in_negotiation", "order_placed", "lapsed")


def follow_up_body(form) -> dict:
    """The follow-up from a row's form: ``status``, with ``order_value`` (INR; commas
    allowed) when given, and a ``note`` when written."""
    body = {"status": form.get("status", "")}
    if form.get("order_value", "").strip():
        body["order_value"] = {"amount": form["order_value"].replace(",", "").strip()}
    if form.get("note", "").strip():
        body["note"] = form["note"].strip()
    return body


@blueprint.get("/meets/<meet_id>/follow-ups")
@organiser_required
def follow_ups(meet_id: str):
    """Every meeting of the meet with an LoI, where it stands and its follow-ups."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    with_loi = [m for m in published_meetings(meet_id) if m.get("loi")]
    return render_template("organiser/follow_ups.html", meet=meet, meetings=with_loi, statuses=STATUSES)


@blueprint.post("/meets/<meet_id>/follow-ups/<meeting_id>")
@organiser_required
def record_follow_up(meet_id: str, meeting_id: str):
    """Record one LoI's follow-up."""
    if attempt(lambda: post("matching", f"/v1/meetings/{meeting_id}/loi/follow-up", follow_up_body(request.form))):
        flash("Follow-up recorded.", "ok")
    return redirect(url_for("organiser.follow_ups", meet_id=meet_id))
