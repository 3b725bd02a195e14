"""Pages for sellers and buyers: register, verify, profile, meets, suggestions, requests,
agenda, outcomes and LoIs, inbox and settings. One module per group of pages, all on
this blueprint (URLs at the site's root)."""
from flask import Blueprint

blueprint = Blueprint("participant", __name__)


@blueprint.app_context_processor
def _labels():
    from web.participant.labels import request_label, status_label

    return {"status_label": status_label, "request_label": request_label}


from web.participant import agenda, inbox, matches, meets, profile, register  # noqa: E402,F401  (views register themselves)
