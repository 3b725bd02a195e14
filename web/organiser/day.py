"""On the day: check people in, add walk-in meetings in free slots, mark someone who did
not come (matching repairs the schedule: their meetings dropped, freed places filled with
pairs left out; the page shows what changed), and record outcomes and Letters of Intent
for many meetings at once (``outcomes/bulk``, ``lois/bulk``, meetings named by seller and
buyer). Only meetings that have begun get the outcome and LoI fields, the date of signing
between the meeting's day and today at the venue (``shared.meeting_times``); what matching
refuses is shown on the meeting's row."""
from __future__ import annotations

from datetime import date, datetime

from flask import flash, redirect, render_template, request, url_for

from shared import meeting_times
from web.clients import ApiError
from web.organiser import blueprint
from web.organiser.applications import bulk_shown
from web.organiser.people import names
from web.organiser.schedule import published_meetings
from web.organiser.session import every, flash_problem, get, organiser_required, post

OUTCOMES = ("held", "no_show_seller", "no_show_buyer", "no_show_both")
ROW_FIELDS = ("outcome", "product", "quantity", "unit", "value", "signed")
"""The day's table's fields of one meeting (``<field>_<row>``)."""
FIELD_LABELS = {"outcome": "Outcome", "product": "LoI product", "quantity": "Quantity", "value": "Value (INR)", "signed_on": "Signed on"}
"""Matching's names of the fields it refuses, as the day's table heads them."""


def slot_names(meet: dict) -> dict[str, str]:
    """Slot id -> ``day start`` as the pages show it."""
    return {slot["id"]: f"{slot['day']} {slot['start']}" for slot in meet["slots"]}


def approved(meet_id: str) -> dict[str, list[dict]]:
    """The meet's approved participants by role, each ``{"id", "label"}``, sorted by label."""
    found = every("registration", f"/v1/meets/{meet_id}/applications", {"status": "approved"})
    who = names(a["participant_id"] for a in found)
    by_role: dict[str, list[dict]] = {"seller": [], "buyer": []}
    for a in found:
        by_role.setdefault(a["role"], []).append({"id": a["participant_id"], "label": who.get(a["participant_id"], a["participant_id"])})
    return {role: sorted(people, key=lambda p: p["label"]) for role, people in by_role.items()}


def with_recording(meetings: list[dict], now: datetime | None = None) -> list[dict]:
    """``meetings`` with ``begun`` (an outcome and LoI can be entered: its slot has begun at
    ``now``, the time now by default) and ``signed_max``, today at its venue."""
    for m in meetings:
        m["begun"] = meeting_times.has_begun(m, now)
        m["signed_max"] = meeting_times.venue_today(m, now).isoformat()
    return meetings


def day_page(meet_id: str, refusals: dict | None = None, typed: dict | None = None, status: int = 200):
    """The day's page; ``refusals`` (pair -> lines) shown on their meetings' rows, which
    keep what was ``typed`` (pair -> field -> value)."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    return render_template("organiser/day.html", meet=meet, people=approved(meet_id), meetings=with_recording(published_meetings(meet_id)),
                           outcomes=OUTCOMES, slots=slot_names(meet), refusals=refusals or {}, typed=typed or {}), status


@blueprint.get("/meets/<meet_id>/day")
@organiser_required
def day(meet_id: str):
    """The day's forms and the published meetings, with outcome and LoI fields for those
    that have begun."""
    return day_page(meet_id)


def attempt(action) -> dict | None:
    """``action()``'s answer, or None with the service's refusal (404, 409, 422) flashed."""
    try:
        return action()
    except ApiError as exc:
        if exc.status not in (404, 409, 422):
            raise
        flash_problem(exc)
        return None


@blueprint.post("/meets/<meet_id>/day/check-in")
@organiser_required
def check_in(meet_id: str):
    """Mark the chosen participant present."""
    if attempt(lambda: post("matching", f"/v1/meets/{meet_id}/check-ins", {"participant_id": request.form.get("participant_id", "")})):
        flash("Checked in.", "ok")
    return redirect(url_for("organiser.day", meet_id=meet_id))


@blueprint.post("/meets/<meet_id>/day/walk-in")
@organiser_required
def walk_in(meet_id: str):
    """A meeting agreed on the spot, in the chosen slot or the first both are free in."""
    body = {k: request.form.get(k, "") for k in ("seller_id", "buyer_id")}
    if request.form.get("slot_id"):
        body["slot_id"] = request.form["slot_id"]
    added = attempt(lambda: post("matching", f"/v1/meets/{meet_id}/walk-ins", body))
    if added:
        flash("Walk-in meeting added: table %(table)s, slot %(slot)s." % {"table": added.get("table"), "slot": added.get("slot_id")}, "ok")
    return redirect(url_for("organiser.day", meet_id=meet_id))


@blueprint.post("/meets/<meet_id>/day/absent")
@organiser_required
def absent(meet_id: str):
    """Someone did not come or cancelled: matching drops their meetings and fills the
    places; the repair is shown (meetings cancelled and added)."""
    body = {"participant_id": request.form.get("participant_id", ""), "reason": request.form.get("reason", "no_show")}
    repair = attempt(lambda: post("matching", f"/v1/meets/{meet_id}/cancellations", body))
    if repair is None:
        return redirect(url_for("organiser.day", meet_id=meet_id))
    meet = get("registration", f"/v1/meets/{meet_id}")
    meetings = {m["id"]: m for m in every("matching", f"/v1/meets/{meet_id}/meetings")}
    who = names([body["participant_id"]]).get(body["participant_id"], body["participant_id"])
    return render_template("organiser/repair.html", meet=meet, repair=repair, meetings=meetings, who=who, slots=slot_names(meet))


def loi_items(form) -> tuple[list[dict], list[dict]]:
    """Outcomes and LoIs from the day's table: for row ``n``, ``seller_n``/``buyer_n`` name
    the meeting, ``outcome_n`` its outcome (blank: none), and ``product_n`` with
    ``value_n`` (INR), ``quantity_n``, ``unit_n`` and ``signed_n`` an LoI."""
    outcomes, lois = [], []
    rows = sorted({int(k.split("_", 1)[1]) for k in form if k.startswith("seller_") and k.split("_", 1)[1].isdigit()})
    for n in rows:
        pair = {"seller_id": form.get(f"seller_{n}", ""), "buyer_id": form.get(f"buyer_{n}", "")}
        if form.get(f"outcome_{n}"):
            outcomes.append({**pair, "outcome": form[f"outcome_{n}"]})
        if form.get(f"product_{n}") or form.get(f"value_{n}"):
            lois.append({**pair, "product": form.get(f"product_{n}", ""), "value": {"amount": form.get(f"value_{n}", "").replace(",", "")},
                         "quantity": {"value": form.get(f"quantity_{n}") or "1", "unit": form.get(f"unit_{n}") or "piece"},
                         "signed_on": form.get(f"signed_{n}") or date.today().isoformat()})
    return outcomes, lois


def typed_rows(form) -> dict[tuple[str, str], dict[str, str]]:
    """What the day's table holds for each meeting (seller, buyer): ``ROW_FIELDS``."""
    rows = sorted({k.split("_", 1)[1] for k in form if k.startswith("seller_") and k.split("_", 1)[1].isdigit()})
    return {(form.get(f"seller_{n}", ""), form.get(f"buyer_{n}", "")): {f: form.get(f"{f}_{n}", "") for f in ROW_FIELDS} for n in rows}


def refusal_line(what: str, problem: dict) -> str:
    """One refused item's reason: each field matching named, by the table's heading, else its detail."""
    fields = ApiError(problem.get("status") or 422, problem).field_messages
    if fields:
        return f"{what} refused: " + "; ".join(f"{FIELD_LABELS.get(name, name)}: {text}" for name, text in fields.items())
    return f"{what} refused: {problem.get('detail') or problem.get('title') or ''}"


def record_bulk(path: str, items: list[dict], what: str, refusals: dict[tuple[str, str], list[str]]) -> None:
    """Send ``items`` in bulk and flash the counts; each refused item's reason is added to
    ``refusals`` under its meeting (seller, buyer). A refusal of the whole call is flashed."""
    result = bulk_shown(path, items, what, itemised=False)
    for refused in (result or {}).get("refused", []):
        pair = (refused["item"]["seller_id"], refused["item"]["buyer_id"])
        refusals.setdefault(pair, []).append(refusal_line("LoI" if what.startswith("Letter") else "Outcome", refused.get("problem") or {}))


@blueprint.post("/meets/<meet_id>/day/results")
@organiser_required
def record(meet_id: str):
    """Record the filled-in outcomes, then the LoIs, each in bulk; the page shows the
    refused ones on their rows, as typed."""
    outcomes, lois = loi_items(request.form)
    if not outcomes and not lois:
        flash("Nothing was filled in.", "error")
        return redirect(url_for("organiser.day", meet_id=meet_id))
    refusals: dict[tuple[str, str], list[str]] = {}
    if outcomes:
        record_bulk(f"matching:/v1/meets/{meet_id}/outcomes/bulk", outcomes, "Outcomes", refusals)
    if lois:
        record_bulk(f"matching:/v1/meets/{meet_id}/lois/bulk", lois, "Letters of Intent", refusals)
    if refusals:
        typed = {pair: values for pair, values in typed_rows(request.form).items() if pair in refusals}
        return day_page(meet_id, refusals, typed, 422)
    return redirect(url_for("organiser.day", meet_id=meet_id))
