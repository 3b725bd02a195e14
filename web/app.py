"""The web app's factory: ``gunicorn 'web.app:create_app()'`` (``make run`` serves it on
``BSM_WEB_PORT``, 8005)."""
from __future__ import annotations

import importlib
import importlib.util
from datetime import timedelta
from typing import Mapping

from flask import Flask

from shared.logs import configure_logging
from web import i18n, pages
from web.config import load_web_settings

OPTIONAL_BLUEPRINTS = ("web.organiser",)
"""Packages whose ``blueprint`` is registered when the package exists (organiser pages:
``web/organiser/__init__.py`` exporting ``blueprint``, templates under
``web/templates/organiser/``)."""


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """The Flask app with every page blueprint, configured from ``environ`` (default
    ``os.environ``, see ``web.config``)."""
    settings = load_web_settings(environ)
    configure_logging("web")
    app = Flask(__name__)
    app.config.update(
        WEB_SETTINGS=settings,
        SECRET_KEY=settings.secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.environment == "production",
        PERMANENT_SESSION_LIFETIME=timedelta(days=90),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    i18n.install(app)
    pages.install(app)
    from web.participant import blueprint as participant

    app.register_blueprint(participant)
    for name in OPTIONAL_BLUEPRINTS:
        if importlib.util.find_spec(name) is not None:
            app.register_blueprint(importlib.import_module(name).blueprint)
    return app
