"""Who suits the participant and why, and meeting requests: ask, accept, decline."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web import accounts
from web.clients import ApiError, get_json, post_json
from web.i18n import gettext as _
from web.participant import blueprint
from web.participant.reasons import translated


def other_side() -> str:
    """The side the participant meets: buyers for a seller, sellers for a buyer."""
    return "buyer" if accounts.side() == "seller" else "seller"


def public_name(participant: str, side: str) -> str:
    """The name (or organisation) of another participant, from registration's public profile."""
    try:
        profile = get_json("registration", f"/v1/{side}s/{participant}")
    except ApiError as exc:
        if exc.status in (403, 404):
            return _("a participant")
        raise
    return profile.get("organisation") or profile.get("name") or participant


@blueprint.get("/meets/<meet_id>/suggestions")
@accounts.participant_required
def suggestions(meet_id: str):
    """The best-suited counterparts at a meet, with the reasons, each with a request form."""
    found = get_json("matching", f"/v1/meets/{meet_id}/recommendations/{accounts.participant_id()}", params={"limit": 10})["items"]
    asked = {r["to_id"] for r in get_json("matching", f"/v1/meets/{meet_id}/requests")["items"]}
    them = other_side()
    return render_template("participant/suggestions.html", meet_id=meet_id, asked=asked,
                           people=[{**m[them], "score": m["score"], "reasons": [translated(r) for r in m["reasons"]],
                                   "concerns": [translated(c) for c in m["concerns"]]} for m in found])


@blueprint.post("/meets/<meet_id>/requests")
@accounts.participant_required
def ask(meet_id: str):
    """Ask to meet someone, with an optional message."""
    body = {"to_id": request.form.get("to_id", ""), "message": request.form.get("message", "").strip() or None}
    try:
        post_json("matching", f"/v1/meets/{meet_id}/requests", body)
    except ApiError as exc:
        if exc.status not in (400, 404, 409, 422):
            raise
        flash(exc.problem.get("detail") or exc.problem.get("title"), "error")
        return redirect(url_for("participant.suggestions", meet_id=meet_id))
    flash(_("Your request is sent. We will tell you their answer."), "ok")
    return redirect(url_for("participant.requests", meet_id=meet_id))


@blueprint.get("/meets/<meet_id>/requests")
@accounts.participant_required
def requests(meet_id: str):
    """Meeting requests the participant sent and received, with accept/decline for those received."""
    me, them = accounts.participant_id(), other_side()
    found = get_json("matching", f"/v1/meets/{meet_id}/requests")["items"]
    for item in found:
        item["received"] = item["to_id"] == me
        item["other_name"] = public_name(item["from_id"] if item["received"] else item["to_id"], them)
    return render_template("participant/requests.html", meet_id=meet_id,
                           received=[r for r in found if r["received"]], sent=[r for r in found if not r["received"]])


@blueprint.post("/requests/<request_id>/<any(accept, decline):answer>")
@accounts.participant_required
def answer(request_id: str, answer: str):
    """Accept or decline a meeting request received."""
    result = post_json("matching", f"/v1/requests/{request_id}/{answer}")
    flash(_("You accepted the meeting.") if answer == "accept" else _("You declined the meeting."), "ok")
    return redirect(url_for("participant.requests", meet_id=result["meet_id"]))
