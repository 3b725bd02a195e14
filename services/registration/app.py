"""The registration service's WSGI app: ``gunicorn 'services.registration.app:create_app()'``."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import Settings, load_settings
from shared.contracts import registration as catalogue
from shared.http import service_app
from shared.mongo import connect

from services.registration import SERVICE
from services.registration.api import sellers
from services.registration.store import ParticipantStore, ensure_indexes


@dataclass
class Registration:
    settings: Settings
    participants: ParticipantStore


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect(settings)
    app = service_app(__name__, settings, db, prepare=ensure_indexes)
    app.extensions[SERVICE] = Registration(
        settings=settings,
        participants=ParticipantStore(db, settings.topic(catalogue.TOPIC)),
    )
    app.register_blueprint(sellers.bp)
    return app
