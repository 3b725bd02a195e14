"""An organiser on a laptop (1280 x 800, headless Chromium) runs a meet through the web
app against the real platform: signs in with the organiser key, creates a meet and opens
registration, uploads the sellers' and the buyers' CSV files through the import form (each
applied to the meet for every slot), approves every undecided application at once, adds an
interpreter, drafts the schedule (through the "matching is catching up" page when it
comes), reviews the grid, publishes, watches the schedule messages go out, checks someone
in, marks a no-show and sees the repair, and finds that the day's page takes no outcome
before a meeting begins. For a meet held earlier (recorded after the fact, with the same
people) the organiser records an outcome and a Letter of Intent (one dated before its
meeting is refused on its row) and, from a follow-up call, its order, and reads the
results charts and their CSV. Every
organiser page passes axe-core with no serious or critical violation; the screenshots are
README's (docs/screenshots/organiser-*.png, written there under BSM_SCREENSHOTS=docs)."""
from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.browser import Browser, BrowserError
from tests.e2e.web_pages import HELD_ON, SCREENSHOTS, held_meet

pytestmark = pytest.mark.stack

KEY = "dev-organiser-key"
SELLERS = (("Ghulam Nabi Dar", "Srinagar", "Pashmina shawl", "handloom", "Kashmir Pashmina"),
           ("Shafiqa Bano", "Budgam", "Papier mache box", "handicraft", "Kashmir Papier Mache"),
           ("Mohammad Yousuf", "Anantnag", "Walnut wood tray", "handicraft", "Kashmir Walnut Wood Carving"),
           ("Rafiqa Akhtar", "Pulwama", "Saffron", "spices", "Kashmir Saffron"))
MEET_SHAPE = {"name": "Srinagar Craft Meet", "venue": "SKICC", "city": "Srinagar", "days": ["2027-07-30"], "session_start": "10:00",
              "session_end": "12:00", "meeting_minutes": 20, "gap_minutes": 0, "tables": 3, "capacity_sellers": 10, "capacity_buyers": 5}
"""The shape of the meet the test creates through the form, for the one it records after the fact."""
BUYERS = (("Asha Mehta", "Dilli Haat Crafts", "retail_brand", "IN", "no"), ("Jonas Weber", "Weber Import GmbH", "importer", "DE", "yes"))


def sellers_csv() -> str:
    start = int(str(uuid.uuid4().int)[:6])
    rows = [f"{name},{district},97{start:06d}{n:02d},artisan,{product},{category},{tag},yes"
            for n, (name, district, product, category, tag) in enumerate(SELLERS)]
    return "name,district,phone,enterprise_kind,product,category,gi_tag,export_ready\n" + "\n".join(rows) + "\n"


def buyers_csv() -> str:
    tag = uuid.uuid4().hex[:6]
    rows = [f"{name},{org},{kind},{country},{intl},{name.split()[0].lower()}.{tag}@buyers.example,handloom;handicraft;spices,Kashmir Pashmina"
            for name, org, kind, country, intl in BUYERS]
    return "name,organisation,buyer_kind,country,international,email,categories,gi_tags\n" + "\n".join(rows) + "\n"


def checked(browser: Browser, name: str) -> None:
    """The page is in English, fits the laptop's width, is accessible, and its screenshot
    (no control focused, so runs compare) is kept as ``organiser-<name>.png``."""
    assert browser.evaluate("document.documentElement.lang") == "en"
    assert browser.evaluate("document.documentElement.scrollWidth") <= 1280, f"{name} scrolls sideways at 1280 px"
    assert browser.axe_violations() == [], name
    browser.evaluate("document.activeElement && document.activeElement.blur()")
    browser.screenshot(SCREENSHOTS / f"organiser-{name}.png")


def set_value(browser: Browser, selector: str, value: str) -> None:
    """Set a control's value as a date, time or number picker would."""
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")


def upload(browser: Browser, selector: str, path: Path) -> None:
    """Choose ``path`` in the file input, as the file dialog would."""
    root = browser.send("DOM.getDocument")["root"]["nodeId"]
    node = browser.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    browser.send("DOM.setFileInputFiles", {"nodeId": node, "files": [str(path)]})


def import_file(browser: Browser, web: str, meet_id: str, kind: str, text: str, folder: Path) -> str:
    """Upload a CSV through the import form; the import page's text once the job is done."""
    path = folder / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    browser.open(f"{web}/organiser/meets/{meet_id}/imports")
    browser.evaluate(f"document.querySelector('input[name=kind][value={kind}]').checked = true")
    upload(browser, "#f-file", path)
    browser.click("form[enctype] button[type=submit]")
    for _ in range(30):
        if "Import: done" in browser.text():
            return browser.text()
        time.sleep(1)
        browser.open(browser.url())
    raise AssertionError(browser.text())


def test_an_organiser_creates_imports_approves_drafts_publishes_and_reads_the_charts(web, registration, matching):
    with Browser(width=1280, height=800, mobile=False) as browser, tempfile.TemporaryDirectory() as folder:
        browser.open(web + "/organiser/")
        assert "/organiser/sign-in" in browser.url()
        checked(browser, "sign-in")
        browser.fill({"#f-key": "not-the-key"})
        browser.click("form button[type=submit]")
        assert "not an organiser" in browser.text()
        browser.fill({"#f-key": KEY})
        browser.click("form button[type=submit]")
        assert browser.url().endswith("/organiser/"), browser.text()

        browser.click("a[href='/organiser/meets/new']")
        browser.fill({"#f-name": "Srinagar Craft Meet", "#f-venue": "SKICC", "#f-city": "Srinagar", "#f-tables": "3",
                      "#f-capacity_sellers": "10", "#f-capacity_buyers": "5"})
        for selector, value in {"#f-first_day": "2027-07-30", "#f-session_start": "10:00", "#f-session_end": "12:00",
                                "#f-meeting_minutes": "20", "#f-gap_minutes": "0"}.items():
            set_value(browser, selector, value)
        checked(browser, "create-meet")
        browser.click("form.columns button[type=submit]")
        assert "/organiser/meets/" in browser.url() and "Meet created" in browser.text(), browser.text()
        meet_id = browser.url().rstrip("/").rsplit("/", 1)[-1]
        assert browser.evaluate("document.querySelector('#f-status').value") == "registration_open"
        browser.click("form.inline button[type=submit]")
        assert "registration open" in browser.text()
        checked(browser, "meet")

        folder = Path(folder)
        sellers = import_file(browser, web, meet_id, "sellers", sellers_csv(), folder)
        assert sellers.count("created") >= len(SELLERS) and f"{len(SELLERS)} done" in sellers, sellers
        checked(browser, "import-report")
        buyers = import_file(browser, web, meet_id, "buyers", buyers_csv(), folder)
        assert f"{len(BUYERS)} done" in buyers, buyers

        browser.open(f"{web}/organiser/meets/{meet_id}/applications?status=applied")
        assert f"Approve all {len(SELLERS) + len(BUYERS)} undecided" in browser.text()
        checked(browser, "applications")
        browser.click("#approve-all")
        assert f"{len(SELLERS) + len(BUYERS)} done, 0 unchanged, 0 refused" in browser.text(), browser.text()
        applied = registration.get(f"/v1/meets/{meet_id}/applications", headers={"Authorization": f"Bearer {KEY}"}).json()["items"]
        assert sorted(a["status"] for a in applied) == ["approved"] * (len(SELLERS) + len(BUYERS))

        browser.open(f"{web}/organiser/meets/{meet_id}/interpreters")
        browser.fill({"#f-name": "Rafiq Ahmad", "#f-languages": "ks, ur, en"})
        browser.click("form button[type=submit]")
        assert "Rafiq Ahmad is in the pool." in browser.text() and "ks, ur, en" in browser.text(), browser.text()
        checked(browser, "interpreters")

        browser.open(f"{web}/organiser/meets/{meet_id}/schedule")
        checked(browser, "schedule-empty")
        browser.click("#draft")
        behind_seen = False
        for _ in range(20):
            if not browser.evaluate("document.querySelector('#draft-anyway') !== null"):
                break
            if not behind_seen:
                behind_seen = True
                checked(browser, "draft-behind")
            time.sleep(1)
            browser.click("form button.secondary")
        else:
            browser.click("#draft-anyway")
        meetings = int(browser.evaluate("document.querySelector('#draft-meetings').textContent"))
        assert meetings >= len(BUYERS), browser.text()
        assert browser.evaluate("document.querySelectorAll('.grid tbody td .seller').length") == meetings
        checked(browser, "draft")

        browser.click("#publish")
        assert f"Published: {meetings} new meetings of {meetings}" in browser.text(), browser.text()
        assert f"Published: {meetings} meetings" in browser.text()
        checked(browser, "schedule")
        for _ in range(30):
            if "sent:" in browser.text():
                break
            time.sleep(1)
            browser.open(browser.url())
        assert "sent:" in browser.text(), browser.text()

        for status in ("scheduled", "live"):
            browser.open(f"{web}/organiser/meets/{meet_id}")
            browser.click("form.inline button[type=submit]")
            assert status.replace("_", " ") in browser.text()
        browser.open(f"{web}/organiser/meets/{meet_id}/day")
        browser.click("form[action$='/day/check-in'] button[type=submit]")
        assert "Checked in." in browser.text(), browser.text()
        browser.click("form[action$='/day/walk-in'] button[type=submit]")
        assert browser.url().endswith("/day") and browser.evaluate("document.querySelector('.flash.error') !== null"), browser.text()
        absent = browser.evaluate("document.querySelector('#f-absent option:last-child').textContent")
        set_value(browser, "#f-absent", browser.evaluate("document.querySelector('#f-absent option:last-child').value"))
        browser.click("form[action$='/day/absent'] button[type=submit]")
        assert f"{absent}'s meetings were dropped" in browser.text(), browser.text()
        assert "Cancelled: 0" not in browser.text()
        checked(browser, "repair")
        browser.open(f"{web}/organiser/meets/{meet_id}/day")
        assert browser.evaluate("document.querySelector('select[name^=outcome_]') === null"), "no outcome before a meeting begins"
        assert "Outcome and LoI from 2027-07-30 10:" in browser.text(), browser.text()

        people = [a["participant_id"] for a in applied]
        earlier, held = held_meet(registration, matching, people, {**MEET_SHAPE, "name": "Srinagar Craft Meet, recorded after"})
        meet_id = earlier["id"]
        live = [m for m in held if m["status"] != "cancelled"]
        browser.open(f"{web}/organiser/meets/{meet_id}/day")
        rows = browser.evaluate("[...document.querySelectorAll('select[name^=outcome_]')].map(s => s.name.split('_')[1])")
        assert len(rows) == len(live) >= 2, browser.text()
        row, other = rows[:2]
        assert browser.evaluate(f"document.querySelector('input[name=signed_{row}]').min") == HELD_ON
        set_value(browser, f"select[name=outcome_{row}]", "held")
        browser.fill({f"input[name=product_{row}]": "Pashmina shawl", f"input[name=quantity_{row}]": "50", f"input[name=value_{row}]": "1250000",
                      f"input[name=product_{other}]": "Saffron", f"input[name=value_{other}]": "90000"})
        browser.evaluate(f"document.querySelector('input[name=signed_{other}]').removeAttribute('min')")  # a browser that lets any date through
        set_value(browser, f"input[name=signed_{other}]", "2026-07-29")
        checked(browser, "day")
        browser.click("form[action$='/day/results'] button[type=submit]")
        text = browser.text()
        assert "Outcomes: 1 done" in text and "Letters of Intent: 1 done, 0 unchanged, 1 refused" in text, text
        refused = browser.evaluate(f"document.querySelector('#refused-{other}').innerText")
        assert "LoI refused: Signed on: 2026-07-29 is before the meeting (2026-07-30)" in refused, refused
        assert browser.evaluate(f"document.querySelector('input[name=product_{other}]').value") == "Saffron"

        browser.open(f"{web}/organiser/meets/{meet_id}/follow-ups")
        assert "Pashmina shawl, 1250000.00 INR" in browser.text(), browser.text()
        set_value(browser, "select[name=status]", "order_placed")
        browser.fill({"input[name=order_value]": "10,00,000"})
        checked(browser, "follow-ups")
        browser.click("form[action*='/follow-ups/'] button[type=submit]")
        assert "Follow-up recorded." in browser.text() and "order placed 1000000.00 INR" in browser.text(), browser.text()

        browser.open(f"{web}/organiser/meets/{meet_id}/results")
        assert "order placed: 1" in browser.text() and "1 (100.0%)" in browser.text(), browser.text()
        assert "1 LoI worth Rs 12.50 lakh" in browser.text(), browser.text()
        charts = browser.evaluate("[...document.querySelectorAll('img')].map(i => [i.complete, i.naturalWidth, i.alt])")
        assert len(charts) == 1 + 2 * 4 and all(done and width > 0 and alt for done, width, alt in charts), charts
        checked(browser, "results")
        report_csv = browser.evaluate(f"fetch('/organiser/meets/{meet_id}/results.csv').then(r => r.text())", await_promise=True)
        assert report_csv.startswith('"breakdown","key","name","meetings"') and '"1250000.00","Rs 12.50 lakh"' in report_csv, report_csv[:500]


def test_a_large_file_becomes_an_import_job_whose_page_follows_its_progress_to_the_report(web, registration):
    meet = registration.post("/v1/meets", json={"name": "Large import meet", "venue": "SKICC", "city": "Srinagar", "days": ["2027-08-02"],
                                                "session_start": "10:00", "session_end": "11:00", "meeting_minutes": 20, "tables": 2,
                                                "capacity_sellers": 200, "capacity_buyers": 200},
                             headers={"Authorization": f"Bearer {KEY}"}).json()
    tag = uuid.uuid4().hex[:6]
    rows = [f"Buyer {n},House {n},retail_brand,IN,no,b{n}.{tag}@buyers.example,handloom,Kashmir Pashmina" for n in range(120)]
    text = "name,organisation,buyer_kind,country,international,email,categories,gi_tags\n" + "\n".join(rows) + "\n"
    with Browser(width=1280, height=800, mobile=False) as browser, tempfile.TemporaryDirectory() as folder:
        browser.open(web + "/organiser/sign-in")
        browser.fill({"#f-key": KEY})
        browser.click("form button[type=submit]")
        path = Path(folder) / "buyers.csv"
        path.write_text(text, encoding="utf-8")
        browser.open(f"{web}/organiser/meets/{meet['id']}/imports")
        browser.evaluate("document.querySelector('input[name=kind][value=buyers]').checked = true")
        browser.evaluate("document.querySelector('input[name=apply]').checked = false")
        upload(browser, "#f-file", path)
        browser.click("form[enctype] button[type=submit]")
        assert "/imports/" in browser.url() and browser.evaluate("document.querySelector('progress') !== null"), browser.text()
        first = browser.text()
        if "Import: running" in first:
            assert browser.evaluate("document.querySelector('#progress').hasAttribute('data-watch')")
            checked(browser, "import-progress")
        for _ in range(60):  # the page's script re-reads the progress, then loads the finished page itself
            time.sleep(1)
            try:
                if "Import: done" in browser.text() and browser.evaluate("document.readyState") == "complete":
                    break
            except BrowserError:  # the page was being replaced
                continue
        assert "Import: done" in browser.text() and "created: 120" in browser.text(), browser.text()[:2000]
        assert browser.evaluate("document.querySelectorAll('tbody tr').length") == 120
        assert not browser.evaluate("document.querySelector('#progress').hasAttribute('data-watch')")
        assert registration.get(f"/v1/meets/{meet['id']}/applications", headers={"Authorization": f"Bearer {KEY}"}).json()["items"] == []
