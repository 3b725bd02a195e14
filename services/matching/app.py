"""The matching service's WSGI app: ``gunicorn 'services.matching.app:create_app()'``."""
from __future__ import annotations

from shared.config import Settings, load_settings
from shared.contracts import matching as catalogue
from shared.http import problem_response, service_app
from shared.mongo import connect
from shared.openapi import openapi_blueprint

from services.matching import SERVICE
from services.matching.actions import Matching, NotFound, Refused
from services.matching.api import meetings, meets, participants
from services.matching.store import OUTBOX_COLLECTIONS, ensure_indexes


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect(settings)
    app = service_app(__name__, settings, db, prepare=ensure_indexes, outbox_collections=OUTBOX_COLLECTIONS)
    app.extensions[SERVICE] = Matching.on(db, settings.topic(catalogue.TOPIC))
    app.register_error_handler(NotFound, lambda exc: problem_response(404, "Not Found", str(exc)))
    app.register_error_handler(Refused, lambda exc: problem_response(409, "Conflict", str(exc)))
    for blueprint in (participants.bp, meets.bp, meets.reports_bp, meetings.bp, meetings.requests_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(openapi_blueprint("BSM matching API", "1.0.0", "Recommendations, preferences, schedules, outcomes and Letters of Intent."))
    return app
