"""The matching service's WSGI app: ``gunicorn 'services.matching.app:create_app()'``."""
from __future__ import annotations

from shared.config import Settings, load_settings
from shared.contracts import matching as catalogue
from shared.freshness import Freshness, freshness_blueprint
from shared.http import problem_response, service_app
from shared.mongo import connect_for_requests
from shared.openapi import openapi_blueprint

from services.matching import SERVICE
from services.matching.actions import Invalid, Matching, NotFound, Refused
from services.matching.api import bulk, meetings, meets, participants
from services.matching.feed_tokens import FeedTokens
from services.matching.handlers import SUBSCRIBES_TO
from services.matching.store import OUTBOX_COLLECTIONS, ensure_indexes


# Seconds a view may spend with the database when the default budget is too short: long
# jobs done in one request and lists or reports over history (shared/request_budget.py).
DATABASE_BUDGETS = {
    "meets.draft": 25, "meets.publish": 25, "meets.cancel": 25, "bulk.preferences": 25, "bulk.outcomes": 25, "bulk.lois": 25,
    "freshness.events": 25,
    **{name: 10 for name in ("meets.report", "reports.all_meets_report", "meets.meetings", "meets.recommendations",
                             "meets.agenda_ics", "meets.agenda_page", "meets.list_requests")},
}


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect_for_requests(settings)
    app = service_app(__name__, settings, db, prepare=ensure_indexes, outbox_collections=OUTBOX_COLLECTIONS, budgets=DATABASE_BUDGETS)
    app.extensions[SERVICE] = Matching.on(db, settings.topic(catalogue.TOPIC))
    app.extensions["feed_tokens"] = FeedTokens(db, app.extensions["auth"])
    app.register_error_handler(NotFound, lambda exc: problem_response(404, "Not Found", str(exc)))
    app.register_error_handler(Refused, lambda exc: problem_response(409, "Conflict", str(exc)))
    app.register_error_handler(Invalid, lambda exc: problem_response(422, "Invalid request", str(exc), errors={exc.field: [str(exc)]}))
    for blueprint in (participants.bp, meets.bp, bulk.bp, meets.reports_bp, meetings.bp, meetings.requests_bp):
        app.register_blueprint(blueprint)
    app.extensions["freshness"] = Freshness.of(settings, db, SERVICE, SUBSCRIBES_TO)
    app.register_blueprint(freshness_blueprint(app.extensions["freshness"]))
    app.register_blueprint(openapi_blueprint("BSM matching API", "1.0.0", "Recommendations, preferences, schedules, outcomes and Letters of Intent."))
    return app
