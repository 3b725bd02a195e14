"""Following ``next_cursor`` to the end gives every item once, in the order of one big page,
on the real FerretDB: for every sort of registration's participants (values missing, and
ties) and for matching's meetings (many in one slot). Notifications has no paged list.
"""
from __future__ import annotations

import pytest

from services.registration.schemas import PARTICIPANT_SORTABLE
from shared.pagination import sort_choices
from tests.api.conftest import BUYER, ORGANISER, register
from tests.api.test_matching_api import matching, meet_with_people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.stack


def _follow(client, url: str, limit: int) -> list[str]:
    ids, cursor = [], None
    for _ in range(100):
        response = client.get(f"{url}{'&' if '?' in url else '?'}limit={limit}" + (f"&cursor={cursor}" if cursor else ""), headers=ORGANISER)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination never ended")


def test_buyers_paged_by_every_sort_are_all_the_buyers_in_order(client):
    districts = [None, "Srinagar", None, "Budgam", "Srinagar", None, "Budgam", "Srinagar", None]
    for n, district in enumerate(districts):
        body = {**BUYER, "email": f"buyer{n}@keller.example", "name": ["Anna Keller", "Omar Dar"][n % 2]}
        register(client, {**body, "district": district} if district else body, role="buyers")

    for sort in sort_choices(PARTICIPANT_SORTABLE):
        whole = _follow(client, f"/v1/buyers?sort={sort}", 200)
        assert len(set(whole)) == len(districts)
        for limit in (1, 2, 3):
            assert _follow(client, f"/v1/buyers?sort={sort}", limit) == whole, (sort, limit)

    by_district = [b["district"] for b in client.get("/v1/buyers?sort=district&limit=200", headers=ORGANISER).get_json()["items"]]
    assert by_district == [None] * 4 + ["Budgam"] * 2 + ["Srinagar"] * 3


def test_meetings_paged_are_all_the_meetings_in_order(meet_with_people):
    client, _, meet = meet_with_people
    assert client.post(f"/v1/meets/{meet.id}/schedule/draft", json={}, headers=ORGANISER).status_code == 200
    assert client.post(f"/v1/meets/{meet.id}/schedule/publish", headers=ORGANISER).status_code == 200
    whole = _follow(client, f"/v1/meets/{meet.id}/meetings", 200)
    assert len(whole) > 2

    for limit in (1, 2, 3):
        assert _follow(client, f"/v1/meets/{meet.id}/meetings", limit) == whole
