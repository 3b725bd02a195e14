"""The agenda: the participant's meetings, the calendar link, where to go next, outcomes and LoIs."""
from __future__ import annotations

from flask import render_template

from web import accounts
from web.clients import get_json
from web.participant import blueprint


@blueprint.get("/meets/<meet_id>/agenda")
@accounts.participant_required
def agenda(meet_id: str):
    """The participant's meetings at a meet."""
    meetings = get_json("matching", f"/v1/meets/{meet_id}/meetings")
    return render_template("participant/agenda.html", meet_id=meet_id, meetings=meetings)
