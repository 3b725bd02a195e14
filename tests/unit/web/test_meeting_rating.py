"""Rating a meeting from the participant's meeting page: the form (stars 1 to 5, whether to
continue with the other side) only once the meeting has begun, exactly matching's body sent
to its rating endpoint, what the page or matching refuses shown beside the form, and the
participant's own rating shown and offered for change."""
from __future__ import annotations

import re

import pytest

from web.clients import ApiError
from tests.unit.web.test_after_meeting_pages import AHEAD, HELD, Matching, client, error_of, fake, meeting, signed_in, signed_in_seller  # noqa: F401 (client: fixture)


def signed_in_buyer(client, language: str = "en") -> None:
    signed_in(client, language, "b1", "buyer")


def checked(page: str, name: str) -> list[str]:
    """The values of the ticked radio buttons called ``name``."""
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]+)"[^>]*\bchecked\b', page)


def test_before_the_meeting_there_is_no_rating_form_and_a_rating_is_not_sent(client, monkeypatch):
    signed_in_seller(client)
    matching = fake(monkeypatch, Matching(meeting(AHEAD)))
    text = client.get("/meetings/mt1").get_data(as_text=True)
    assert 'name="stars"' not in text and "/meetings/mt1/rating" not in text and 'id="not-yet"' in text
    sent = client.post("/meetings/mt1/rating", data={"csrf_token": "t", "stars": "5", "wants_to_continue": "yes"})
    answer = sent.get_data(as_text=True)
    assert sent.status_code == 409 and 'id="not-yet"' in answer and 'role="alert"' in answer
    assert matching.posted == []


def test_once_begun_the_page_offers_stars_and_continue_as_labelled_radio_buttons_in_fieldsets(client, monkeypatch):
    signed_in_seller(client)
    fake(monkeypatch, Matching(meeting(HELD)))
    text = client.get("/meetings/mt1").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/meetings/mt1/rating">(.*?)</form>', text, re.S).group(1)
    assert 'name="csrf_token" value="t"' in form
    assert re.findall(r'name="stars" value="(\d)"', form) == ["1", "2", "3", "4", "5"]
    assert re.findall(r'name="wants_to_continue" value="(\w+)"', form) == ["yes", "no"]
    legends = re.findall(r"<legend>([^<]*)</legend>", form)
    assert legends == ["Stars, from 1 (poor) to 5 (very good)", "Would you like to continue with them?"]
    assert form.count("<fieldset") == 2 and form.count('<label class="choice"><input type="radio"') == 7
    assert "> 1 star</label>" in form and "> 5 stars</label>" in form and "> Yes</label>" in form
    assert checked(form, "stars") == [] and "Send my rating" in form and 'id="my-rating"' not in text


def test_the_rating_form_is_in_the_participants_language(client, monkeypatch):
    signed_in_seller(client, "hi")
    fake(monkeypatch, Matching(meeting(HELD)))
    text = client.get("/meetings/mt1").get_data(as_text=True)
    assert "क्या आप उनके साथ आगे काम करना चाहेंगे?" in text and "> 3 सितारे</label>" in text


@pytest.mark.parametrize(("sign_in", "form", "body"), [
    (signed_in_seller, {"stars": "4", "wants_to_continue": "no"}, {"stars": 4, "wants_to_continue": False}),
    (signed_in_buyer, {"stars": "1", "wants_to_continue": "yes"}, {"stars": 1, "wants_to_continue": True}),
])
def test_a_rating_sends_exactly_the_stars_and_whether_to_continue_and_thanks(client, monkeypatch, sign_in, form, body):
    sign_in(client)
    matching = fake(monkeypatch, Matching(meeting(HELD), {"id": "mt1"}))
    sent = client.post("/meetings/mt1/rating", data={"csrf_token": "t", **form})
    assert sent.status_code == 302 and sent.headers["Location"] == "/meetings/mt1"
    assert matching.posted == [("/v1/meetings/mt1/rating", body)]
    assert type(matching.posted[0][1]["stars"]) is int
    assert "Thank you for rating the meeting." in client.get("/meetings/mt1").get_data(as_text=True)


@pytest.mark.parametrize("form", [
    {"wants_to_continue": "yes"}, {"stars": "", "wants_to_continue": "yes"}, {"stars": "0", "wants_to_continue": "yes"},
    {"stars": "6", "wants_to_continue": "yes"}, {"stars": "4.5", "wants_to_continue": "yes"}, {"stars": "five", "wants_to_continue": "no"},
])
def test_a_rating_without_1_to_5_stars_is_refused_by_the_page_and_not_sent(client, monkeypatch, form):
    signed_in_seller(client)
    matching = fake(monkeypatch, Matching(meeting(HELD), {"id": "mt1"}))
    page = client.post("/meetings/mt1/rating", data={"csrf_token": "t", **form})
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and error_of(text, "stars") == "Choose from 1 to 5 stars."
    assert 'aria-describedby="e-stars"' in text and checked(text, "wants_to_continue") == [form["wants_to_continue"]], "the answer given stays"
    assert matching.posted == []


def test_a_rating_without_an_answer_on_continuing_is_refused_by_the_page_and_not_sent(client, monkeypatch):
    signed_in_seller(client)
    matching = fake(monkeypatch, Matching(meeting(HELD), {"id": "mt1"}))
    for answer in ({}, {"wants_to_continue": "maybe"}):
        page = client.post("/meetings/mt1/rating", data={"csrf_token": "t", "stars": "3", **answer})
        text = page.get_data(as_text=True)
        assert page.status_code == 422 and error_of(text, "wants_to_continue") == "Say whether you would like to continue with them."
        assert checked(text, "stars") == ["3"] and error_of(text, "stars") == ""
    assert matching.posted == []


def test_a_rating_without_the_pages_token_is_refused(client, monkeypatch):
    signed_in_seller(client)
    matching = fake(monkeypatch, Matching(meeting(HELD), {"id": "mt1"}))
    assert client.post("/meetings/mt1/rating", data={"stars": "3", "wants_to_continue": "yes"}).status_code == 400
    assert matching.posted == []
    assert client.post("/meetings/mt1/rating", data={"csrf_token": "t", "stars": "3", "wants_to_continue": "yes"}).status_code == 302
    assert len(matching.posted) == 1


def test_matchings_conflict_is_shown_above_the_rating_form_with_its_status(client, monkeypatch):
    signed_in_seller(client)
    refused = ApiError(409, {"title": "Conflict", "detail": "The meeting changed meanwhile: try again."})
    matching = fake(monkeypatch, Matching(meeting(HELD), refused))
    page = client.post("/meetings/mt1/rating", data={"csrf_token": "t", "stars": "2", "wants_to_continue": "yes"})
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and len(matching.posted) == 1
    assert '<p class="error" id="e-rating" role="alert">The meeting changed meanwhile: try again.</p>' in text
    assert 'action="/meetings/mt1/rating"' in text and checked(text, "stars") == ["2"]


def test_matchings_refusal_naming_a_field_is_shown_beside_it_with_its_status(client, monkeypatch):
    signed_in_seller(client)
    invalid = ApiError(422, {"title": "Unprocessable Entity", "detail": "The request is invalid.",
                             "errors": {"stars": ["Must be greater than or equal to 1 and less than or equal to 5."]}})
    fake(monkeypatch, Matching(meeting(HELD), invalid))
    page = client.post("/meetings/mt1/rating", data={"csrf_token": "t", "stars": "5", "wants_to_continue": "no"})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert error_of(text, "stars") == "Must be greater than or equal to 1 and less than or equal to 5."
    assert 'id="e-rating"' not in text


def test_the_participants_own_rating_is_shown_and_offered_for_change(client, monkeypatch):
    ratings = {"seller": {"stars": 3, "wants_to_continue": True}, "buyer": {"stars": 1, "wants_to_continue": False}}
    fake(monkeypatch, Matching(meeting(HELD, ratings=ratings)))
    signed_in_seller(client)
    text = client.get("/meetings/mt1").get_data(as_text=True)
    assert '<p id="my-rating">You gave the meeting 3 of 5 stars and would like to continue with them.</p>' in text
    assert checked(text, "stars") == ["3"] and checked(text, "wants_to_continue") == ["yes"] and "Change my rating" in text
    signed_in_buyer(client)
    text = client.get("/meetings/mt1").get_data(as_text=True)
    assert '<p id="my-rating">You gave the meeting 1 of 5 stars and would rather not continue with them.</p>' in text
    assert checked(text, "stars") == ["1"] and checked(text, "wants_to_continue") == ["no"]


def test_the_other_sides_rating_is_not_shown_as_ones_own(client, monkeypatch):
    fake(monkeypatch, Matching(meeting(HELD, ratings={"buyer": {"stars": 5, "wants_to_continue": True}})))
    signed_in_seller(client)
    text = client.get("/meetings/mt1").get_data(as_text=True)
    assert 'id="my-rating"' not in text and checked(text, "stars") == [] and "Send my rating" in text


def test_only_the_two_sides_are_offered_the_form_or_may_send_it(client, monkeypatch):
    matching = fake(monkeypatch, Matching(meeting(HELD, seller_id="s9")))
    signed_in_seller(client)
    assert 'name="stars"' not in client.get("/meetings/mt1").get_data(as_text=True)
    assert client.post("/meetings/mt1/rating", data={"csrf_token": "t", "stars": "3", "wants_to_continue": "yes"}).status_code == 403
    assert matching.posted == []
