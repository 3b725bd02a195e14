"""The inbox (in-app messages) and how the participant is reached (channels, quiet hours)."""
from __future__ import annotations

from flask import render_template

from web import accounts
from web.clients import get_json
from web.participant import blueprint


@blueprint.get("/inbox")
@accounts.participant_required
def inbox():
    """The participant's in-app messages, newest first, with the unread count."""
    box = get_json("notifications", f"/v1/inbox/{accounts.participant_id()}")
    return render_template("participant/inbox.html", box=box)


@blueprint.get("/settings")
@accounts.participant_required
def settings():
    """How the participant is reached."""
    prefs = get_json("notifications", f"/v1/preferences/{accounts.participant_id()}")
    return render_template("participant/settings.html", prefs=prefs)
