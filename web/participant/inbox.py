"""The inbox (in-app messages) and how the participant is reached (channels, quiet hours)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web import accounts
from web.clients import ApiError, call, get_json, post_json
from web.i18n import gettext as _
from web.participant import blueprint

CHANNELS = ("sms", "whatsapp", "email", "inbox")


@blueprint.get("/inbox")
@accounts.participant_required
def inbox():
    """The participant's in-app messages, newest first, with the unread count."""
    box = get_json("notifications", f"/v1/inbox/{accounts.participant_id()}")
    return render_template("participant/inbox.html", items=list(reversed(box["items"])), unread=box["unread"])


@blueprint.post("/inbox/<notification_id>/read")
@accounts.participant_required
def mark_read(notification_id: str):
    """Mark one message read."""
    post_json("notifications", f"/v1/inbox/{accounts.participant_id()}/{notification_id}/read")
    return redirect(url_for("participant.inbox"))


def preferences_body(form) -> dict:
    """The notifications API's preferences from the settings form."""
    return {"channels": [c for c in form.getlist("channels") if c in CHANNELS] or ["inbox"],
            "opted_out": form.get("opted_out") == "1",
            "quiet_start": form.get("quiet_start") or None, "quiet_end": form.get("quiet_end") or None}


@blueprint.route("/settings", methods=["GET", "POST"])
@accounts.participant_required
def settings():
    """Choose channels, quiet hours for SMS and WhatsApp, or opt out of what can wait."""
    path = f"/v1/preferences/{accounts.participant_id()}"
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            call("notifications", "PUT", path, json=preferences_body(request.form))
        except ApiError as exc:
            if exc.status not in (400, 422):
                raise
            errors = exc.field_messages
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("participant.settings"))
    try:
        prefs = get_json("notifications", path)
    except ApiError as exc:
        if exc.status != 404:
            raise
        prefs = None
    return render_template("participant/settings.html", prefs=prefs, errors=errors, channels=CHANNELS)
