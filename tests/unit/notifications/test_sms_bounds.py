"""Every SMS stays within its kind's bound of segments in every language, whatever its
data: one segment for a time-critical kind, at most ``MAX_SEGMENTS`` for any other
(``services/notifications/domain/sms.py``). A schedule of 14 meetings with contacts and
interpreters, a dozen suggestions, every tally, long names and free text are rendered
for SMS; the summary keeps the count, the first meeting and the link to the agenda,
and the email, WhatsApp and inbox still carry the whole list."""
from __future__ import annotations

from typing import Any

import pytest

from services.notifications.catalogues import LOCALES
from services.notifications.domain.links import agenda_url, suggestions_url, web_url
from services.notifications.domain.sms import MAX_SEGMENTS, segment_limit, sms_segments
from services.notifications.formatting import TALLIES
from services.notifications.rendering import TEMPLATES, Renderer
from tests.unit.notifications.message_samples import SAMPLES

KINDS = sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())
LANGUAGES = sorted(LOCALES)
RENDERER = Renderer()
WEB = "https://bsm.jktpo.gov.in"
MEET_ID = "6651f0c2a1b2c3d4e5f60718"
LONG_NAME = "Jammu and Kashmir Handloom Export Promotion Council Cooperative Society of Budgam"
LONG_MEET = "Jammu and Kashmir Handicrafts, Handloom and Agri-Produce Buyer-Seller Meet 2030"
LONG_TEXT = {
    "name": "Ghulam Nabi Dar and Sons Pashmina and Kani Shawl Weavers Cooperative of Kanihama",
    "meet_name": LONG_MEET,
    "with": LONG_NAME, "other_name": LONG_NAME, "from_name": LONG_NAME,
    "message": "We source hand-spun Pashmina and Kani shawls for our stores in Europe and would like to "
               "discuss certified GI-tagged lots, natural dyes, minimum order quantities and delivery by air. " * 3,
    "reason": "the GI certificate for Kani shawls was not attached and the district handicrafts officer could "
              "not confirm the registration of the cooperative before the closing date of applications",
    "product": "hand-spun GI-tagged Kani Pashmina shawls with natural dyes, sozni embroidery and certificates",
}


def meetings(count: int) -> list[dict[str, Any]]:
    """``count`` schedule lines as the handler records them: contacts, interpreters, long names."""
    return [{"meeting_id": f"m{n}", "day": f"2030-07-{30 + n // 10}", "start": f"{9 + n % 10:02d}:30", "end": f"{9 + n % 10:02d}:50",
             "table": 100 + n, "with": f"{LONG_NAME} {n}", "contact": f"+9198110000{n:02d}, procurement.head.{n}@handloom-council.example.in",
             "interpreter": f"int-{n}", "interpreter_name": "Mohammad Rafiq Ahmad Bhat", "timezone": "Asia/Kolkata"} for n in range(count)]


def large(kind: str) -> dict[str, Any]:
    """The kind's sample with every name and free text long and every list long."""
    context = {key: LONG_TEXT.get(key, value) if isinstance(value, str) else value for key, value in SAMPLES[kind].items()}
    if kind == "schedule_published":
        context.update(meetings=meetings(14), agenda_url=agenda_url(WEB, MEET_ID))
    if kind == "match_suggestions":
        context.update(matches=[{"name": f"{LONG_NAME} {n}", "score": 99 - n, "reason": LONG_TEXT["reason"]} for n in range(12)],
                       suggestions_url=suggestions_url(WEB, MEET_ID))
    if kind in ("organiser_digest", "organiser_results"):
        context["applications"] = {key: 1234567 for key in TALLIES}
    return context


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_sms_stays_within_its_kinds_bound_with_large_data_in_every_language(kind, language):
    for context in (large(kind), {k: v for k, v in large(kind).items() if not k.endswith("_url")}):
        text = RENDERER.render(kind, language, context, "sms").text
        assert sms_segments(text).count <= segment_limit(kind) <= MAX_SEGMENTS, (sms_segments(text), text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_schedule_sms_says_how_many_when_the_first_is_and_links_the_agenda(language):
    text = RENDERER.render("schedule_published", language, large("schedule_published"), "sms").text
    assert "14" in text and "09:30" in text and "100" in text
    assert f"{WEB}/meets/{MEET_ID}/agenda" in text
    assert "procurement.head" not in text and "Rafiq" not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", ["email", "whatsapp", "inbox"])
def test_other_channels_still_list_every_meeting_with_its_contact(language, channel):
    text = RENDERER.render("schedule_published", language, large("schedule_published"), channel).text
    assert all(f"{LONG_NAME} {n}" in text and f"procurement.head.{n}@" in text for n in range(14))


def test_a_schedule_sms_recorded_before_the_link_says_where_the_rest_is():
    context = {k: v for k, v in large("schedule_published").items() if k != "agenda_url"}
    assert "in your email and in the app" in RENDERER.render("schedule_published", "en", context, "sms").text


def test_the_suggestions_sms_counts_them_and_links_the_page():
    text = RENDERER.render("match_suggestions", "en", large("match_suggestions"), "sms").text
    assert ": 12." in text and text.endswith(f"{WEB}/meets/{MEET_ID}/suggestions")


def test_a_long_free_text_is_shortened_and_the_rest_of_the_sms_kept():
    text = RENDERER.render("meeting_requested", "ur", large("meeting_requested"), "sms").text
    assert sms_segments(text).count <= MAX_SEGMENTS and "…" in text and "Jammu and Kashmir" in text


def test_the_web_apps_address_comes_from_the_environment_or_the_local_port():
    assert web_url({"BSM_WEB_URL": "https://bsm.example.in/"}) == "https://bsm.example.in"
    assert web_url({"BSM_WEB_PORT": "18005"}) == "http://127.0.0.1:18005"
    assert agenda_url(web_url({}), "meet 1") == "http://127.0.0.1:8005/meets/meet%201/agenda"
