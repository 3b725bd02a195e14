import pytest

from shared.auth import Authenticator, Principal, Unauthenticated, parse_api_keys

KEYS = parse_api_keys("organiser:organiser-key-1,operator:operator-key-1")


def test_api_keys_map_to_staff_roles():
    auth = Authenticator("secret", KEYS)
    assert auth.authenticate("Bearer organiser-key-1") == Principal("organiser", "organiser-key")
    assert auth.authenticate("bearer operator-key-1").role == "operator"


def test_participant_tokens_round_trip_and_are_bound_to_the_secret():
    token = Authenticator("secret", KEYS).issue("p-1")
    assert Authenticator("secret", KEYS).authenticate(f"Bearer {token}") == Principal("participant", "p-1")
    with pytest.raises(Unauthenticated, match="not valid"):
        Authenticator("another secret", KEYS).authenticate(f"Bearer {token}")


def test_expired_tokens_are_refused():
    auth = Authenticator("secret", KEYS, ttl_seconds=-1)
    with pytest.raises(Unauthenticated, match="expired"):
        auth.authenticate(f"Bearer {auth.issue('p-1')}")


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer nonsense"])
def test_missing_or_malformed_credentials_are_refused(header):
    with pytest.raises(Unauthenticated):
        Authenticator("secret", KEYS).authenticate(header)


def test_what_a_principal_may_do():
    assert Principal("organiser", "k").may_act_for("p-1")
    assert Principal("participant", "p-1").may_act_for("p-1")
    assert not Principal("participant", "p-2").may_act_for("p-1")
    assert not Principal("operator", "k").may_act_for("p-1")


@pytest.mark.parametrize("spec", ["admin:0123456789", "organiser:short", "organiser"])
def test_bad_key_configuration_is_refused(spec):
    with pytest.raises(ValueError):
        parse_api_keys(spec)
