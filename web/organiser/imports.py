"""Sellers and buyers from a spreadsheet saved as CSV: the file goes to registration
(``POST /v1/imports/{sellers,buyers}``, ``text/csv``); up to 100 rows are imported while
the page waits, more become a job whose page refreshes itself with its progress until the
per-row report is ready. Optionally everyone the file names is then applied to the meet for
every slot (``applications/bulk`` with ``"availability": "all"``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from web.clients import ApiError
from web.organiser import blueprint
from web.organiser.applications import bulk_shown
from web.organiser.people import names
from web.organiser.session import call, flash_problem, get, organiser_required

KINDS = {"sellers": "/v1/imports/sellers", "buyers": "/v1/imports/buyers"}
APPLY = "imports_to_apply"
"""Session key: import job id -> meet id, for jobs whose people are to be applied once done."""


@blueprint.route("/meets/<meet_id>/imports", methods=["GET", "POST"])
@organiser_required
def imports(meet_id: str):
    """The upload form; a posted file is sent to registration as ``text/csv`` whatever
    type the browser gave it (Windows says ``application/vnd.ms-excel``; registration
    finds the encoding and delimiter) and the page of its import job follows."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    if request.method == "GET":
        return render_template("organiser/imports.html", meet=meet, kinds=KINDS)
    kind, upload = request.form.get("kind", ""), request.files.get("file")
    if kind not in KINDS or upload is None or not upload.filename:
        flash("Choose what the file holds and the CSV file.", "error")
        return redirect(url_for("organiser.imports", meet_id=meet_id))
    try:
        response = call("registration", "POST", KINDS[kind], data=upload.read(), headers={"Content-Type": "text/csv"})
    except ApiError as exc:
        if exc.status not in (400, 413, 415, 422):
            raise
        flash_problem(exc)
        return redirect(url_for("organiser.imports", meet_id=meet_id))
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    if request.form.get("apply"):
        session[APPLY] = {**session.get(APPLY, {}), job_id: meet_id}
    return redirect(url_for("organiser.import_job", meet_id=meet_id, job_id=job_id))


@blueprint.get("/meets/<meet_id>/imports/<job_id>")
@organiser_required
def import_job(meet_id: str, job_id: str):
    """An import's progress (kept up to date by organiser.js while it runs), then its
    per-row report; once done, its people are applied to the meet if that was asked."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    job = get("registration", f"/v1/imports/{job_id}")
    pending = session.get(APPLY, {})
    if job["status"] == "done" and pending.get(job_id) == meet_id:
        apply_everyone(meet_id, job["report"]["rows"])
        session[APPLY] = {k: v for k, v in pending.items() if k != job_id}
    rows = (job.get("report") or {}).get("rows", [])
    who = names(r["participant_id"] for r in rows if r.get("participant_id"))
    return render_template("organiser/import_job.html", meet=meet, job=job, names=who)


def apply_everyone(meet_id: str, rows: list[dict]) -> None:
    """Apply each imported (or recognised) participant to the meet for every slot."""
    people = [r["participant_id"] for r in rows if r.get("participant_id") and r["status"] != "refused"]
    if not people:
        return
    bulk_shown(f"registration:/v1/meets/{meet_id}/applications/bulk", [{"participant_id": p, "availability": "all"} for p in people],
               "Applications to this meet")
