"""Only calendar feed tokens travel in URLs: read-only, for one participant's feed,
revocable. Staff keys and participants' tokens are refused there (401 saying where they
belong), on every service. Matching and registration in-process on the real FerretDB."""
import pytest

from tests.api.conftest import OPERATOR, ORGANISER
from tests.api.test_matching_api import matching, meet_with_people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack


def feed(client, meet_id, participant_id, token):
    return client.get(f"/v1/meets/{meet_id}/agenda/{participant_id}.ics?token={token}")


def test_staff_keys_and_participant_tokens_are_refused_in_the_feed_url(meet_with_people):
    client, _, meet = meet_with_people
    participant_token = client.application.extensions["auth"].issue("b1")
    for token in ("dev-organiser-key", "dev-operator-key", participant_token):
        refused = feed(client, meet.id, "b1", token)
        assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
        assert "Authorization header" in refused.get_json()["detail"]
    assert feed(client, meet.id, "b1", "not-a-token").status_code == 401
    assert client.get(f"/v1/meets/{meet.id}/agenda/b1.ics", headers=ORGANISER).status_code == 200


def test_a_feed_token_reads_only_that_participants_feed_until_revoked(meet_with_people):
    client, _, meet = meet_with_people
    b1 = {"Authorization": f"Bearer {client.application.extensions['auth'].issue('b1')}"}
    assert client.post("/v1/participants/b2/feed-token", headers=b1).status_code == 403
    first = client.post("/v1/participants/b1/feed-token", headers=b1)
    assert first.status_code == 201
    token = first.get_json()["feed_token"]
    assert feed(client, meet.id, "b1", token).status_code == 200
    assert feed(client, meet.id, "b2", token).status_code == 403
    assert client.get(f"/v1/meets/{meet.id}/agenda/b1?token={token}").status_code == 401  # the printable page: not a feed
    assert client.get(f"/v1/meets/{meet.id}/meetings", headers={"Authorization": f"Bearer {token}"}).status_code == 401  # read-only, feed only

    second = client.post("/v1/participants/b1/feed-token", headers=ORGANISER).get_json()["feed_token"]
    assert feed(client, meet.id, "b1", token).status_code == 401  # rotated away
    assert feed(client, meet.id, "b1", second).status_code == 200
    deleted = client.delete("/v1/participants/b1/feed-token", headers=b1)
    assert deleted.status_code == 204 and deleted.data == b"" and "Content-Type" not in deleted.headers, deleted.headers
    revoked = feed(client, meet.id, "b1", second)
    assert revoked.status_code == 401 and "revoked" in revoked.get_json()["detail"]


def test_keys_in_the_url_are_refused_on_every_service(meet_with_people, client):
    matching_client, _, meet = meet_with_people
    for service, path in ((matching_client, f"/v1/meets/{meet.id}/meetings"), (client, "/v1/sellers")):
        for name in ("token", "api_key", "access_token"):
            refused = service.get(f"{path}?{name}=dev-operator-key")
            assert refused.status_code == 401 and "Authorization header" in refused.get_json()["detail"], (path, name)
        assert service.get(path, headers=OPERATOR).status_code == 200
