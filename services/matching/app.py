"""The matching service's WSGI app: ``gunicorn 'services.matching.app:create_app()'``."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import Settings, load_settings
from shared.contracts import matching as catalogue
from shared.http import service_app
from shared.mongo import connect

from services.matching import SERVICE
from services.matching.api import participants
from services.matching.store import ProfileStore, ensure_indexes


@dataclass
class Matching:
    settings: Settings
    profiles: ProfileStore


def create_app(settings: Settings | None = None):
    settings = settings or load_settings(SERVICE)
    db = connect(settings)
    app = service_app(__name__, settings, db, prepare=ensure_indexes)
    app.extensions[SERVICE] = Matching(settings=settings, profiles=ProfileStore(db, settings.topic(catalogue.TOPIC)))
    app.register_blueprint(participants.bp)
    return app
