"""The notifications service's WSGI app: ``gunicorn 'services.notifications.app:create_app()'``."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import Settings, load_settings
from shared.contracts import notifications as catalogue
from shared.http import service_app
from shared.mongo import connect

from services.notifications import SERVICE
from services.notifications.api import notifications
from services.notifications.store import NotificationStore, ensure_indexes


@dataclass
class Notifications:
    settings: Settings
    store: NotificationStore


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect(settings)
    app = service_app(__name__, settings, db, prepare=ensure_indexes)
    app.extensions[SERVICE] = Notifications(settings=settings, store=NotificationStore(db, settings.topic(catalogue.TOPIC)))
    app.register_blueprint(notifications.bp)
    return app
