"""Settings read from environment variables, in one place, with local defaults.

Production (``BSM_ENV=production``) refuses to start while a secret still has its
development default, so a forgotten variable fails loudly instead of running insecurely.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

DEV_AUTH_SECRET = "dev-only-secret-change-me"
DEV_API_KEYS = "organiser:dev-organiser-key,operator:dev-operator-key"
DEV_CODE_KEY = "dev-only-code-key-change-me"
CODE_KEY_SERVICES = ("registration", "notifications")
"""The services that seal and open one-time codes (``BSM_CODE_KEY``, shared/one_time_codes.py)."""
DEFAULT_PORTS = {"registration": 8001, "matching": 8002, "notifications": 8003}


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


@dataclass(frozen=True)
class Settings:
    service: str
    environment: str = "local"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = ""
    topic_prefix: str = "bsm."
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    auth_secret: str = DEV_AUTH_SECRET
    api_keys: str = DEV_API_KEYS
    code_key: str = DEV_CODE_KEY
    cors_origins: str = ""
    log_level: str = "INFO"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    mail_from: str = "BSM Platform <no-reply@bsm.local>"
    mail_message_id_domain: str = ""
    gateway_url: str = ""
    gateway_token: str = ""
    relay_poll_seconds: float = 0.1
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"bsm_{self.service}"

    def topic(self, name: str) -> str:
        """Full topic name for a logical name such as ``registration.events``."""
        return f"{self.topic_prefix}{name}"


def load_settings(service: str, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    prefix = service.upper()
    settings = Settings(
        service=service,
        environment=env.get("BSM_ENV", "local"),
        kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", Settings.kafka_bootstrap_servers),
        mongodb_uri=env.get("MONGODB_URI", Settings.mongodb_uri),
        mongodb_database=env.get(f"{prefix}_MONGODB_DATABASE", ""),
        topic_prefix=env.get("BSM_TOPIC_PREFIX", Settings.topic_prefix),
        http_host=env.get(f"{prefix}_HOST", env.get("BSM_HTTP_HOST", Settings.http_host)),
        http_port=_int(env, f"{prefix}_PORT", DEFAULT_PORTS.get(service, 8000)),
        auth_secret=env.get("BSM_AUTH_SECRET", DEV_AUTH_SECRET),
        api_keys=env.get("BSM_API_KEYS", DEV_API_KEYS),
        code_key=env.get("BSM_CODE_KEY", DEV_CODE_KEY),
        cors_origins=env.get("BSM_CORS_ORIGINS", ""),
        log_level=env.get("BSM_LOG_LEVEL", "INFO").upper(),
        smtp_host=env.get("SMTP_HOST", Settings.smtp_host),
        smtp_port=_int(env, "SMTP_PORT", Settings.smtp_port),
        mail_from=env.get("MAIL_FROM", Settings.mail_from),
        mail_message_id_domain=env.get("MAIL_MESSAGE_ID_DOMAIN", ""),
        gateway_url=env.get("SMS_GATEWAY_URL", ""),
        gateway_token=env.get("SMS_GATEWAY_TOKEN", ""),
        relay_poll_seconds=float(env.get("BSM_RELAY_POLL_SECONDS", Settings.relay_poll_seconds)),
        extra={k: v for k, v in env.items() if k.startswith(("BSM_", prefix + "_"))},
    )
    if settings.environment == "production":
        if settings.auth_secret == DEV_AUTH_SECRET:
            raise ConfigError("BSM_AUTH_SECRET must be set in production")
        if settings.api_keys == DEV_API_KEYS:
            raise ConfigError("BSM_API_KEYS must be set in production")
        if service in CODE_KEY_SERVICES and settings.code_key == DEV_CODE_KEY:
            raise ConfigError("BSM_CODE_KEY must be set in production")
        if env.get("BSM_WEBHOOK_ALLOW_PRIVATE", "") not in ("", "0"):
            raise ConfigError("BSM_WEBHOOK_ALLOW_PRIVATE is for tests only: production sends webhooks to public addresses only")
    return settings


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
