"""Organiser pages, on a laptop, under ``/organiser``: sign in with the organiser API key,
create meets, import sellers and buyers, decide applications in bulk, draft and publish
the schedule, run the day, and read the results as charts.

Every page is a client of the services' public APIs with the organiser's key, which stays
in the signed, HttpOnly session cookie (``web.organiser.session``). The pages are in
English, whatever language the browser chose for the participant pages: organisers are
staff on laptops, and their sentences stay out of the translated ``web`` catalogue."""
from flask import Blueprint, g

blueprint = Blueprint("organiser", __name__, url_prefix="/organiser")


@blueprint.before_request
def _english() -> None:
    g.language = "en"


from web.organiser import applications, day, follow_ups, imports, interpreters, meets, results, schedule, session  # noqa: E402,F401  (routes)
