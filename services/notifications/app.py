"""The notifications service's WSGI app: ``gunicorn 'services.notifications.app:create_app()'``."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import Settings, load_settings
from shared.contracts import notifications as catalogue
from shared.freshness import Freshness, freshness_blueprint
from shared.http import service_app
from shared.mongo import connect_for_requests
from shared.openapi import openapi_blueprint

from services.notifications import SERVICE
from services.notifications.api import notifications
from services.notifications.handlers import SUBSCRIBES_TO
from services.notifications.store import OUTBOX_COLLECTIONS, NotificationStore, ensure_indexes, notification_gauges
from services.notifications.views import ContactStore


@dataclass
class Notifications:
    settings: Settings
    store: NotificationStore
    contacts: ContactStore


# Seconds a view may spend with the database when the default budget is too short: long
# jobs done in one request and lists or reports over history (shared/request_budget.py).
DATABASE_BUDGETS = {"notifications.list_notifications": 10, "freshness.events": 25}


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect_for_requests(settings)
    app = service_app(__name__, settings, db, prepare=ensure_indexes, outbox_collections=OUTBOX_COLLECTIONS, state=notification_gauges, budgets=DATABASE_BUDGETS)
    app.extensions[SERVICE] = Notifications(settings=settings, store=NotificationStore(db, settings.topic(catalogue.TOPIC)), contacts=ContactStore(db))
    app.register_blueprint(notifications.bp)
    app.register_blueprint(freshness_blueprint(Freshness.of(settings, db, SERVICE, SUBSCRIBES_TO)))
    app.register_blueprint(openapi_blueprint("BSM notifications API", "1.0.0", "Inbox, delivery status, resends and preferences."))
    return app
