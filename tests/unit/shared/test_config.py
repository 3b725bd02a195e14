import pytest

from shared.config import ConfigError, load_settings


def test_defaults_are_local():
    settings = load_settings("matching", {})
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.http_port == 8002
    assert settings.database_name == "bsm_matching"
    assert settings.topic("registration.events") == "bsm.registration.events"


def test_environment_overrides():
    settings = load_settings(
        "registration",
        {
            "KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092,kafka-2:9092",
            "MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0",
            "REGISTRATION_PORT": "9001",
            "REGISTRATION_MONGODB_DATABASE": "reg",
            "BSM_TOPIC_PREFIX": "staging.",
        },
    )
    assert settings.kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.http_port == 9001
    assert settings.database_name == "reg"
    assert settings.topic("registration.events") == "staging.registration.events"


def test_production_refuses_the_development_secret():
    with pytest.raises(ConfigError, match="BSM_AUTH_SECRET"):
        load_settings("registration", {"BSM_ENV": "production"})
    with pytest.raises(ConfigError, match="BSM_API_KEYS"):
        load_settings("registration", {"BSM_ENV": "production", "BSM_AUTH_SECRET": "s3cret"})
    production = {"BSM_ENV": "production", "BSM_AUTH_SECRET": "s3cret", "BSM_API_KEYS": "organiser:0123456789"}
    for service in ("registration", "notifications"):
        with pytest.raises(ConfigError, match="BSM_CODE_KEY"):
            load_settings(service, production)
    assert load_settings("matching", production).auth_secret == "s3cret"
    production["BSM_CODE_KEY"] = "another s3cret"
    assert load_settings("registration", production).code_key == "another s3cret"


def test_production_refuses_the_test_only_webhook_allowance():
    production = {"BSM_ENV": "production", "BSM_AUTH_SECRET": "s", "BSM_API_KEYS": "organiser:0123456789", "BSM_CODE_KEY": "k"}
    with pytest.raises(ConfigError, match="BSM_WEBHOOK_ALLOW_PRIVATE"):
        load_settings("notifications", {**production, "BSM_WEBHOOK_ALLOW_PRIVATE": "1"})
    assert load_settings("notifications", {**production, "BSM_WEBHOOK_ALLOW_PRIVATE": "0"})


def test_a_bad_number_is_named():
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load_settings("notifications", {"SMTP_PORT": "twenty-five"})
