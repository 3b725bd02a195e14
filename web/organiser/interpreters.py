"""The meet's interpreter pool (matching: ``GET``, ``PUT`` and ``DELETE
/v1/meets/{m}/interpreters``): who they are, the languages each covers and the slots they
work. The draft places a pair who share no language only where one of them is free; a
change or removal hands their published meetings to others, or is refused naming them."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for

from web.clients import ApiError
from web.organiser import blueprint
from web.organiser.session import call, flash_problem, get, organiser_required


def interpreter_id(name: str) -> str:
    """An id from the name (``Rafiq Ahmad`` -> ``rafiq-ahmad``); the same name changes
    the same interpreter."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "interpreter"


def with_interpreters(meetings: list[dict], pool: list[dict]) -> list[dict]:
    """``meetings`` (published or drafted, each with ``interpreter``: an id or None) with
    ``interpreter_name`` (kept when the meeting has it, else from ``pool``, else the id)
    and ``interpreter_languages`` (codes, from ``pool``: matching's ``items``, each
    ``interpreter_id``, ``name``, ``languages``); a meeting without one gets None and []."""
    by_id = {i["interpreter_id"]: i for i in pool}
    for meeting in meetings:
        found = by_id.get(meeting.get("interpreter") or "")
        if meeting.get("interpreter"):
            meeting["interpreter_name"] = meeting.get("interpreter_name") or (found or {}).get("name") or meeting["interpreter"]
            meeting["interpreter_languages"] = meeting.get("interpreter_languages") or (found or {}).get("languages") or []
        else:
            meeting["interpreter_name"], meeting["interpreter_languages"] = None, []
    return meetings


def pool_of(meet_id: str) -> list[dict]:
    """The meet's interpreter pool as matching lists it."""
    return get("matching", f"/v1/meets/{meet_id}/interpreters")["items"]


@blueprint.get("/meets/<meet_id>/interpreters")
@organiser_required
def interpreters(meet_id: str):
    """The pool, and the form to add or change an interpreter."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    return render_template("organiser/interpreters.html", meet=meet, pool=pool_of(meet_id))


@blueprint.post("/meets/<meet_id>/interpreters")
@organiser_required
def save_interpreter(meet_id: str):
    """Add or change an interpreter: name, languages (codes, comma-separated), the slots
    ticked (none ticked: every slot of the meet)."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    name = request.form.get("name", "").strip()
    languages = [code.strip() for code in request.form.get("languages", "").split(",") if code.strip()]
    slots = request.form.getlist("slot") or [s["id"] for s in meet["slots"]]
    ident = request.form.get("interpreter_id") or interpreter_id(name)
    try:
        call("matching", "PUT", f"/v1/meets/{meet_id}/interpreters/{ident}", json={"name": name, "languages": languages, "availability": slots})
    except ApiError as exc:
        if exc.status not in (404, 409, 422):
            raise
        flash_problem(exc)
    else:
        flash(f"{name} is in the pool.", "ok")
    return redirect(url_for("organiser.interpreters", meet_id=meet_id))


@blueprint.post("/meets/<meet_id>/interpreters/<interpreter_id>/remove")
@organiser_required
def remove_interpreter(meet_id: str, interpreter_id: str):
    """Take an interpreter out of the pool; matching's refusal (a meeting no one else can
    interpret) is shown on the pool's page."""
    try:
        call("matching", "DELETE", f"/v1/meets/{meet_id}/interpreters/{interpreter_id}")
    except ApiError as exc:
        if exc.status not in (404, 409):
            raise
        flash_problem(exc)
    else:
        flash(f"{interpreter_id} is no longer in the pool; their meetings still to come have other interpreters.", "ok")
    return redirect(url_for("organiser.interpreters", meet_id=meet_id))
