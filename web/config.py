"""The web app's settings, from environment variables (README, "Configuration").

``BSM_<SERVICE>_URL`` is each service's base URL (default ``http://127.0.0.1:<port>``
from ``<SERVICE>_PORT``, as ``make run`` starts them); ``BSM_WEB_SECRET`` signs the
session cookie (production refuses the development value).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from shared.config import DEFAULT_PORTS, ConfigError

DEV_WEB_SECRET = "dev-only-web-secret-change-me"
DEFAULT_WEB_PORT = 8005
SERVICES = ("registration", "matching", "notifications")


@dataclass(frozen=True)
class WebSettings:
    """Where the services are and how the session cookie is signed."""

    service_urls: Mapping[str, str]
    secret: str = DEV_WEB_SECRET
    environment: str = "local"
    timeout_seconds: float = 10.0

    def url(self, service: str, path: str) -> str:
        """The absolute URL of ``path`` (``/v1/...``) on ``service``."""
        return self.service_urls[service].rstrip("/") + path


def service_url(service: str, env: Mapping[str, str]) -> str:
    """``BSM_<SERVICE>_URL``, else the local address from ``<SERVICE>_PORT``."""
    port = env.get(f"{service.upper()}_PORT") or DEFAULT_PORTS[service]
    return env.get(f"BSM_{service.upper()}_URL") or f"http://127.0.0.1:{port}"


def web_port(env: Mapping[str, str]) -> int:
    """The port the web app listens on under ``make run`` (``BSM_WEB_PORT``, 8005)."""
    return int(env.get("BSM_WEB_PORT") or DEFAULT_WEB_PORT)


def load_web_settings(environ: Mapping[str, str] | None = None) -> WebSettings:
    """Settings from ``environ`` (default ``os.environ``); ``ConfigError`` in production
    with the development secret."""
    env = os.environ if environ is None else environ
    settings = WebSettings(
        service_urls={service: service_url(service, env) for service in SERVICES},
        secret=env.get("BSM_WEB_SECRET", DEV_WEB_SECRET),
        environment=env.get("BSM_ENV", "local"),
    )
    if settings.environment == "production" and settings.secret == DEV_WEB_SECRET:
        raise ConfigError("BSM_WEB_SECRET must be set in production")
    return settings
