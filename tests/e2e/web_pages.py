"""What the web app's browser tests share: the organiser's meet, the SMS code from the
gateway sink, and the checks every page passes (language, direction, 360 px, axe-core)."""
from __future__ import annotations

import os
import re

import requests

from tests.browser import Browser
from tests.conftest import REPO
from tests.helpers import wait_until

ORGANISER = {"Authorization": "Bearer dev-organiser-key"}
SCREENSHOTS = REPO / "docs" / "screenshots" if os.environ.get("BSM_SCREENSHOTS") == "docs" else REPO / ".state" / "screenshots"
"""Where the browser tests put their screenshots: README's (docs/screenshots) when
``BSM_SCREENSHOTS=docs`` asks for new ones, else .state/screenshots (a test run leaves the
working tree as it was)."""
MEET = {
    "name": "ODOP Buyer-Seller Meet, Srinagar", "venue": "SKICC", "city": "Srinagar", "days": ["2027-07-30"],
    "session_start": "10:00", "session_end": "12:00", "meeting_minutes": 20, "tables": 4,
    "capacity_sellers": 10, "capacity_buyers": 4,
}
HELD_ON = "2026-07-30"
"""The day of the meet the browser tests record after the fact (``historical``): past, so its
meetings have begun and take outcomes and Letters of Intent, and fixed, so its pages look the
same on every run. MEET, a meet still to come, shows that nothing is recorded before."""


def checked(browser: Browser, name: str, language: str = "ur") -> None:
    """The page is in ``language`` (right to left for Urdu and Kashmiri), fits 360 px, passes
    axe-core with no serious or critical violation; its screenshot is kept as ``phone-<name>.png``."""
    assert browser.evaluate("document.documentElement.lang") == language
    assert browser.evaluate("document.documentElement.dir") == ("rtl" if language in ("ur", "ks") else "ltr")
    assert browser.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways at 360 px"
    assert browser.axe_violations() == [], name
    browser.evaluate("document.activeElement && document.activeElement.blur()")
    browser.screenshot(SCREENSHOTS / f"phone-{name}.png")


def choose_language(browser: Browser, language: str) -> None:
    """Pick the language with the picker in the page's header."""
    browser.click("a.lang")
    browser.evaluate(f"document.querySelector('input[name=language][value={language}]').checked = true")
    browser.click("form button[type=submit]")


def sms_code(gateway_url: str, phone: str, after: int = 0) -> str:
    """The one-time code in the SMS number ``after`` (counting from 0) or later that the
    gateway sink received for ``phone``."""
    def code():
        items = requests.get(gateway_url, params={"to": phone}, timeout=5).json()["items"][after:]
        found = [re.search(r"\b(\d{6})\b", m["text"]) for m in items]
        return [m.group(1) for m in found if m]

    return wait_until(code, timeout=30, interval=0.3, what="the SMS with the code")[-1]


def shown_after_reloads(browser: Browser, text: str) -> None:
    """Reload the page until ``text`` is on it (matching learns of approvals from Kafka)."""
    def shown():
        if text in browser.text():
            return True
        browser.open(browser.url())
        return False

    wait_until(shown, timeout=30, interval=0.5, what=f"{text!r} on the page")


def open_meet(registration) -> dict:
    """A meet open for registration."""
    meet = registration.post("/v1/meets", json=MEET, headers=ORGANISER).json()
    assert registration.post(f"/v1/meets/{meet['id']}/status", json={"status": "registration_open"}, headers=ORGANISER).ok
    return meet


def approve(registration, matching, meet_id: str, participant_id: str) -> None:
    """The organiser approves an application; returns once matching has the approval."""
    decided = registration.post(f"/v1/meets/{meet_id}/applications/{participant_id}/decision", json={"decision": "approve"}, headers=ORGANISER)
    assert decided.ok, decided.text
    events = decided.headers["X-Event-Ids"].split(",")
    assert matching.get("/v1/freshness/events", params={"id": events, "wait": 20}, headers=ORGANISER).ok


def applicant(registration, meet_id: str, person: dict, side: str) -> dict:
    """Register ``person`` as the organiser and apply them for every slot."""
    created = registration.post(f"/v1/{side}s", json=person, headers=ORGANISER).json()
    applied = registration.post(f"/v1/meets/{meet_id}/applications", json={"participant_id": created["id"], "availability": "all"}, headers=ORGANISER)
    assert applied.status_code == 201, applied.text
    return created


def held_meet(registration, matching, participant_ids: list[str], meet: dict | None = None) -> tuple[dict, list[dict]]:
    """A meet of ``meet``'s shape (MEET's by default) held on HELD_ON and recorded after the
    fact, with ``participant_ids`` applied for every slot and approved and its schedule
    published; the meet and its meetings."""
    created = registration.post("/v1/meets", json={**(meet or MEET), "days": [HELD_ON], "historical": True}, headers=ORGANISER)
    assert created.status_code == 201, created.text
    held = created.json()
    assert registration.post(f"/v1/meets/{held['id']}/status", json={"status": "registration_open"}, headers=ORGANISER).ok
    for participant_id in participant_ids:
        applied = registration.post(f"/v1/meets/{held['id']}/applications", json={"participant_id": participant_id, "availability": "all"},
                                    headers=ORGANISER)
        assert applied.status_code == 201, applied.text
        approve(registration, matching, held["id"], participant_id)

    def drafted():
        answer = matching.post(f"/v1/meets/{held['id']}/schedule/draft", json={}, headers=ORGANISER)
        assert answer.status_code in (200, 409), answer.text
        return answer.json() if answer.ok and answer.json()["meetings"] else None

    wait_until(drafted, timeout=30, interval=0.5, what="matching to draft the meet held on " + HELD_ON)
    assert matching.post(f"/v1/meets/{held['id']}/schedule/publish", headers=ORGANISER).ok
    return held, matching.get(f"/v1/meets/{held['id']}/meetings", headers=ORGANISER).json()["items"]
