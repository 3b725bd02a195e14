"""Who suits the participant and why, and meeting requests: ask, accept, decline."""
from __future__ import annotations

from flask import render_template

from web import accounts
from web.clients import get_json
from web.participant import blueprint


@blueprint.get("/meets/<meet_id>/suggestions")
@accounts.participant_required
def suggestions(meet_id: str):
    """The best-suited counterparts at a meet, with the reasons."""
    found = get_json("matching", f"/v1/meets/{meet_id}/recommendations/{accounts.participant_id()}")
    return render_template("participant/suggestions.html", meet_id=meet_id, found=found)


@blueprint.get("/meets/<meet_id>/requests")
@accounts.participant_required
def requests(meet_id: str):
    """Meeting requests the participant sent and received."""
    found = get_json("matching", f"/v1/meets/{meet_id}/requests")
    return render_template("participant/requests.html", meet_id=meet_id, found=found)
