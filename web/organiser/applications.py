"""Applications to a meet, decided in bulk (``POST /v1/meets/{m}/decisions/bulk``, 100
items a call): the ticked ones, or every one still to decide (status applied) at once."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web.clients import ApiError
from web.organiser import blueprint
from web.organiser.people import names
from web.organiser.session import every, flash_problem, get, organiser_required, post

DECISIONS = ("approve", "reject", "waitlist")
BULK_LIMIT = 100


def bulk(path: str, items: list[dict]) -> dict:
    """Send ``items`` to a bulk endpoint in calls of at most ``BULK_LIMIT``; the summed
    ``counts`` and the refused items (index counted across the calls)."""
    counts, refused = {"done": 0, "unchanged": 0, "refused": 0}, []
    for start in range(0, len(items), BULK_LIMIT):
        report = post_bulk(path, items[start:start + BULK_LIMIT])
        for key in counts:
            counts[key] += report["counts"].get(key, 0)
        refused += [{**item, "index": item["index"] + start, "item": items[item["index"] + start]}
                    for item in report["items"] if item["status"] == "refused"]
    return {"counts": counts, "refused": refused}


def post_bulk(path: str, items: list[dict]) -> dict:
    """One bulk call (registration or matching, by the path's service prefix)."""
    service, _sep, rest = path.partition(":")
    return post(service, rest, {"items": items})


def flash_counts(result: dict, what: str, itemised: bool = True) -> None:
    """One line of counts, and (``itemised``) each refused item's reason."""
    counts = result["counts"]
    flash("%(what)s: %(done)d done, %(unchanged)d unchanged, %(refused)d refused."
          % {"what": what, **counts}, "error" if counts["refused"] else "ok")
    for item in result["refused"][:20] if itemised else []:
        problem = item.get("problem") or {}
        flash(f"#{item['index'] + 1}: {problem.get('detail') or problem.get('title')}", "error")


def bulk_shown(path: str, items: list[dict], what: str, itemised: bool = True) -> dict | None:
    """``bulk`` with its counts flashed (and its refused items, when ``itemised``), or the
    service's refusal of the whole call (409, 413, 422) flashed instead of raised; the
    result, or None when the whole call was refused."""
    try:
        result = bulk(path, items)
    except ApiError as exc:
        if exc.status not in (409, 413, 422):
            raise
        flash_problem(exc)
        return None
    flash_counts(result, what, itemised=itemised)
    return result


@blueprint.get("/meets/<meet_id>/applications")
@organiser_required
def applications(meet_id: str):
    """Applications, filtered by ``status`` and ``role``, with names from registration."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    filters = {k: request.args[k] for k in ("status", "role") if request.args.get(k)}
    found = every("registration", f"/v1/meets/{meet_id}/applications", filters)
    who = names(a["participant_id"] for a in found)
    pending = sum(1 for a in found if a["status"] == "applied")
    return render_template("organiser/applications.html", meet=meet, applications=found, names=who, filters=filters,
                           decisions=DECISIONS, pending=pending)


@blueprint.post("/meets/<meet_id>/decisions")
@organiser_required
def decide(meet_id: str):
    """Decide the ticked applications (``participant_id`` repeated), or with ``all_pending``
    every one still to decide (status applied); ``reason`` goes with rejections."""
    decision = request.form.get("decision", "")
    if request.form.get("all_pending"):
        chosen = [a["participant_id"] for a in every("registration", f"/v1/meets/{meet_id}/applications", {"status": "applied"})]
    else:
        chosen = request.form.getlist("participant_id")
    if not chosen:
        flash("Tick at least one application.", "error")
        return redirect(url_for("organiser.applications", meet_id=meet_id))
    reason = request.form.get("reason", "").strip()
    items = [{"participant_id": p, "decision": decision, **({"reason": reason} if reason else {})} for p in chosen]
    bulk_shown(f"registration:/v1/meets/{meet_id}/decisions/bulk", items, "Decisions")
    return redirect(url_for("organiser.applications", meet_id=meet_id))
