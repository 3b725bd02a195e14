"""The registration service's WSGI app: ``gunicorn 'services.registration.app:create_app()'``."""
from __future__ import annotations

from flask import request

from shared.config import Settings, load_settings
from shared.contracts import registration as catalogue
from shared.http import PROBE_PATHS, service_app
from shared.leases import Leases
from shared.mongo import connect_for_requests
from shared.one_time_codes import CodeSealer
from shared.openapi import openapi_blueprint
from shared.rate_limits import RateLimiter

from services.registration import SERVICE
from services.registration.actions import Registration
from services.registration.actions.verification import RATE_LIMITS, VerificationGuard, VerificationLimits
from services.registration.api import applications, bulk, errors, imports, meets, participants, reference
from services.registration.domain import reference as reference_data
from services.registration.import_store import ImportStore
from services.registration.store import OUTBOX_COLLECTIONS, ApplicationStore, MeetStore, ParticipantStore, ReferenceStore, ensure_indexes

DESCRIPTION = "Participants (sellers, buyers), their products and needs, Buyer-Seller Meets and who takes part."


# Seconds a view may spend with the database when the default budget is too short: long
# jobs done in one request and lists or reports over history (shared/request_budget.py).
DATABASE_BUDGETS = {
    "imports.import_csv": 25, "imports.upload_batch": 25, "imports.import_buyers_csv": 25, "bulk.apply_many": 25, "bulk.decide_many": 25,
    "meets.update_meet": 25, "meets.change_status": 25,
    **{name: 10 for name in ("meets.list_meets", "applications.list_applications", "participants.list_sellers",
                             "participants.list_buyers", "participants.ecommerce_report")},
}


# Bulk uploads (up to 5,000 rows) may be larger than other bodies: BSM_MAX_IMPORT_BODY_BYTES.
DEFAULT_MAX_IMPORT_BODY_BYTES = 8 << 20
UPLOADS = ("imports.import_csv", "imports.import_buyers_csv", "imports.upload_batch")


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect_for_requests(settings)
    upload_bytes = int(settings.extra.get("BSM_MAX_IMPORT_BODY_BYTES", DEFAULT_MAX_IMPORT_BODY_BYTES))
    app = service_app(
        __name__, settings, db, prepare=ensure_indexes, outbox_collections=OUTBOX_COLLECTIONS, budgets=DATABASE_BUDGETS,
        body_limits={endpoint: upload_bytes for endpoint in UPLOADS},
    )
    topic = settings.topic(catalogue.TOPIC)
    app.extensions[SERVICE] = Registration(
        participants=ParticipantStore(db, topic),
        meets=MeetStore(db, topic),
        applications=ApplicationStore(db, topic),
        reference=ReferenceStore(db),
        imports=ImportStore(db),
        auth=app.extensions["auth"],
        secret=settings.auth_secret,
        codes=CodeSealer(settings.code_key),
        verification=VerificationGuard(RateLimiter(db[RATE_LIMITS]), VerificationLimits.from_env(settings.extra)),
        leases=Leases(db),
    )
    errors.install(app)
    app.before_request(lambda: _use_reference_data(app))
    for blueprint in (meets.bp, participants.bp, applications.bp, bulk.bp, imports.bp, reference.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(openapi_blueprint("BSM registration API", "1.0.0", DESCRIPTION))
    return app


def _use_reference_data(app) -> None:
    """Load the reference data (districts etc.) in force for this request; probes and metrics
    need none, so they keep answering while Mongo is away."""
    if request.path not in PROBE_PATHS:
        reference_data.use(app.extensions[SERVICE].reference.load())
