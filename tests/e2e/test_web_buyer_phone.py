"""A buyer on a phone, in Hindi, answers a seller's request in the web app, comes back on
another phone (registering again with the same number signs them in with a code), and
uses the inbox, the settings and the profile; every page passes axe-core."""
from __future__ import annotations

import pytest

from tests.browser import Browser
from tests.e2e.web_pages import ORGANISER, applicant, approve, checked, choose_language, open_meet, shown_after_reloads, sms_code

pytestmark = pytest.mark.stack

SELLER = {"name": "Ghulam Nabi Dar", "district": "Budgam", "languages": ["ur", "hi"],
          "products": [{"name": "Pashmina shawl", "category": "handloom", "gi_tag": "Kashmir Pashmina"}]}


def seller_token(registration, gateway_url: str, phone: str) -> tuple[str, str]:
    """A seller who registered and verified themselves through the API: (id, token)."""
    seller = registration.post("/v1/sellers", json={**SELLER, "phone": phone}).json()
    token = registration.post(f"/v1/participants/{seller['id']}/verify", json={"code": sms_code(gateway_url, "+91" + phone)}).json()["token"]
    return seller["id"], token


def register_buyer(browser: Browser, web: str, phone: str) -> None:
    """Fill in the buyer's registration form in the page's language and send it."""
    browser.open(web + "/register/buyer")
    browser.fill({"#f-name": "आशा मेहता", "#f-organisation": "Dilli Haat Crafts", "#f-phone": phone})
    browser.evaluate("document.querySelector('input[name=categories][value=handloom]').click()")
    browser.click("form button[type=submit]")


def test_a_buyer_in_hindi_accepts_a_request_signs_in_again_and_keeps_settings(web, registration, matching, notifications, gateway):
    meet = open_meet(registration)
    seller_phone, phone = "9876512341", "9876512342"
    seller_id, token = seller_token(registration, gateway.url, seller_phone)
    applied = registration.post(f"/v1/meets/{meet['id']}/applications", json={"availability": "all"}, headers={"Authorization": f"Bearer {token}"})
    assert applied.status_code == 201, applied.text
    approve(registration, matching, meet["id"], seller_id)

    with Browser(width=360, height=740) as browser:
        browser.open(web + "/")
        choose_language(browser, "hi")
        register_buyer(browser, web, phone)
        checked(browser, "buyer-verify", "hi")
        browser.fill({"#f-code": sms_code(gateway.url, "+91" + phone)})
        browser.click("form button[type=submit]")
        browser.click(f"a[href='/meets/{meet['id']}/apply']")
        browser.click("form button[type=submit]")
        buyer_id = next(a["participant_id"] for a in registration.get(f"/v1/meets/{meet['id']}/applications", headers=ORGANISER).json()["items"]
                        if a["participant_id"] != seller_id)
        approve(registration, matching, meet["id"], buyer_id)
        asked = matching.post(f"/v1/meets/{meet['id']}/requests", json={"to_id": buyer_id, "message": "Salaam"}, headers={"Authorization": f"Bearer {token}"})
        assert asked.status_code == 201, asked.text

        browser.open(f"{web}/meets/{meet['id']}/requests")
        shown_after_reloads(browser, "Salaam")
        checked(browser, "buyer-requests", "hi")
        browser.click("form[action$='/accept'] button")
        assert matching.get(f"/v1/meets/{meet['id']}/requests", headers=ORGANISER).json()["items"][0]["status"] == "accepted"
        assert "Ghulam Nabi Dar" in browser.text()

    with Browser(width=360, height=740) as other_phone:
        other_phone.open(web + "/")
        choose_language(other_phone, "hi")
        register_buyer(other_phone, web, phone)
        assert other_phone.url().endswith("/verify")
        other_phone.fill({"#f-code": sms_code(gateway.url, "+91" + phone, after=1)})
        other_phone.click("form button[type=submit]")
        assert other_phone.url().endswith("/me"), other_phone.text()
        assert other_phone.evaluate(f"document.querySelector(\"a[href='/meets/{meet['id']}/requests']\") !== null")

        other_phone.click("a[href='/inbox']")
        checked(other_phone, "buyer-inbox", "hi")
        other_phone.click("a[href='/settings']")
        other_phone.fill({"#f-quiet_start": "21:00", "#f-quiet_end": "07:30"})
        checked(other_phone, "buyer-settings", "hi")
        other_phone.click("form button[type=submit]")
        prefs = notifications.get(f"/v1/preferences/{buyer_id}", headers=ORGANISER).json()
        assert (prefs["quiet_start"], prefs["quiet_end"]) == ("21:00", "07:30")

        other_phone.click("a[href='/profile']")
        other_phone.fill({"#f-products": "Pashmina shawl, Sozani stole"})
        checked(other_phone, "buyer-profile", "hi")
        other_phone.click("form button[type=submit]")
        profile = registration.get(f"/v1/buyers/{buyer_id}", headers=ORGANISER).json()
        assert profile["sourcing"]["products"] == ["Pashmina shawl", "Sozani stole"]
        assert profile["sourcing"]["categories"] == ["handloom"]
