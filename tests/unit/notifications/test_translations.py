"""Every message kind in every language, from gettext catalogues that translators can work
on: complete, with the same placeholders as English, each translation carrying its review
status, the catalogue template current with the templates, subjects never empty, HTML a
whole document written in the language's direction, time-critical SMS in one segment."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from services.notifications import catalogues
from services.notifications.catalogues import LOCALES, UNREVIEWED, placeholders, po_path, read_catalogue
from services.notifications.domain.sms import ONE_SEGMENT_KINDS, sms_segments
from services.notifications.rendering import TEMPLATES, Renderer
from tests.unit.notifications.message_samples import SAMPLES

HERE = Path(catalogues.__file__).parent
KINDS = sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())
LANGUAGES = sorted(LOCALES)
RENDERER = Renderer()


def template_ids() -> dict[str, set[str]]:
    """msgid -> the files it is extracted from, as ``make messages`` extracts them."""
    with (HERE / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, set[str]] = {}
    for filename, _, message, _, _ in extract_from_dir(str(HERE), method_map, options_map):
        found.setdefault(message if isinstance(message, str) else message[0], set()).add(filename)
    return found


def test_every_kind_has_a_sample_so_that_it_is_rendered_here():
    assert sorted(SAMPLES) == KINDS, "a new kind needs a sample in tests/unit/notifications/message_samples.py"


def test_the_catalogue_template_is_current_with_the_templates():
    assert set(template_ids()) == {m.id for m in read_catalogue(catalogues.TEMPLATE) if m.id}, "run `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_is_translated_into_every_language(language):
    catalogue = read_catalogue(po_path(language))
    missing = sorted({f"{Path(f).parent.name or f}: {msgid!r}" for msgid, files in template_ids().items() for f in files
                      if not (catalogue.get(msgid) and catalogue.get(msgid).string)})
    assert not missing, f"{language} lacks: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_same_as_in_english(language):
    for message in read_catalogue(po_path(language)):
        if message.id and message.string:
            assert placeholders(message.string) == placeholders(message.id), (language, message.id, message.string)
            assert message.string.count("%") == message.id.count("%"), (language, message.id)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_each_translation_carries_its_review_status(language):
    for message in read_catalogue(po_path(language)):
        if message.id:
            drafted = UNREVIEWED in message.user_comments
            assert message.fuzzy == drafted, f"{language} {message.id!r}: fuzzy exactly while '{UNREVIEWED}'"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_in_the_language_with_a_subject_and_a_whole_html_document(kind, language):
    rendered = RENDERER.render(kind, language, SAMPLES[kind])
    english = RENDERER.render(kind, "en", SAMPLES[kind])
    assert rendered.language == language and rendered.subject.strip() and rendered.text.strip()
    if language != "en":
        assert rendered.text != english.text and rendered.subject != english.subject
    direction = "rtl" if language in ("ur", "ks") else "ltr"
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}" dir="{direction}">' in rendered.html and rendered.html.rstrip().endswith("</html>")


@pytest.mark.parametrize("language", ["hi", "ur"])
@pytest.mark.parametrize("kind", ["participation_approved", "meeting_reminder", "meeting_cancelled", "thank_you"])
def test_hindi_and_urdu_messages_that_went_without_a_subject_have_one_in_their_language(kind, language):
    subject = RENDERER.render(kind, language, SAMPLES[kind]).subject
    assert subject and re.search(r"[\u0900-\u097F\u0600-\u06FF]", subject)


def test_a_subject_missing_from_a_catalogue_falls_back_to_english():
    renderer = Renderer()
    renderer.envs["hi"].install_null_translations(newstyle=True)
    rendered = renderer.render("thank_you", "hi", SAMPLES["thank_you"])
    assert rendered.subject == "Thank you for taking part in Srinagar BSM 2030"


def test_an_unknown_language_is_english():
    assert RENDERER.render("thank_you", "fr", SAMPLES["thank_you"]).language == "en"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(ONE_SEGMENT_KINDS & set(KINDS)))
def test_time_critical_sms_fit_one_segment_in_every_language(kind, language):
    rendered = RENDERER.render(kind, language, SAMPLES[kind], "sms")
    assert sms_segments(rendered.text).count == 1, (sms_segments(rendered.text), rendered.text)
    for value in ("482913", "Reliance Retail"):
        if value in SAMPLES[kind].values():
            assert value in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_name_is_shortened_so_that_a_reminder_stays_one_segment(language):
    long_name = "Jammu and Kashmir Handloom Export Promotion Council Cooperative Society of Budgam"
    rendered = RENDERER.render("meeting_reminder", language, {**SAMPLES["meeting_reminder"], "with": long_name}, "sms")
    assert sms_segments(rendered.text).count == 1 and "Jammu and" in rendered.text
    assert long_name in RENDERER.render("meeting_reminder", language, {**SAMPLES["meeting_reminder"], "with": long_name}, "email").text


@pytest.mark.parametrize("language, grouped", [("en", "12,34,567"), ("hi", "12,34,567"), ("ur", "12,34,567"), ("doi", "12,34,567"), ("ks", "12،34،567")])
def test_numbers_are_grouped_the_indian_way_with_the_locales_separators(language, grouped):
    text = RENDERER.render("organiser_digest", language, {**SAMPLES["organiser_digest"], "applications": {"sellers_applied": 1234567}}).text
    assert grouped in text


@pytest.mark.parametrize("language, words", [("en", "Rs 10.50 crore"), ("hi", "₹10.50 करोड़"), ("ur", "10.50 کروڑ روپے")])
def test_amounts_are_in_the_languages_words(language, words):
    assert words in RENDERER.render("organiser_results", language, SAMPLES["organiser_results"]).text


def test_dates_and_times_follow_the_locale():
    assert "30 Jul 14:30" in RENDERER.render("meeting_added", "en", SAMPLES["meeting_added"]).text
    assert "30 जुल॰" in RENDERER.render("meeting_added", "hi", SAMPLES["meeting_added"]).text
    assert "جولائی" in RENDERER.render("meeting_added", "ur", SAMPLES["meeting_added"]).text


def test_the_schedule_names_the_interpreter_and_stands_on_its_own_as_plain_text():
    rendered = RENDERER.render("schedule_published", "en", SAMPLES["schedule_published"])
    assert "interpreter: Rafiq Ahmad" in rendered.text and "int-7" not in rendered.text and "int-7" not in rendered.html
    assert "Rafiq Ahmad" in rendered.html
    assert "attached" not in rendered.text.lower() and "email version" not in rendered.text.lower()
    older = {**SAMPLES["schedule_published"], "meetings": [{**SAMPLES["schedule_published"]["meetings"][0], "interpreter_name": None}]}
    assert "int-7" not in RENDERER.render("schedule_published", "en", older).text


def test_a_schedule_recorded_before_interpreter_names_still_renders():
    line = {k: v for k, v in SAMPLES["schedule_published"]["meetings"][0].items() if k != "interpreter_name"}
    rendered = RENDERER.render("schedule_published", "hi", {**SAMPLES["schedule_published"], "meetings": [line]})
    assert "int-7" not in rendered.text and "दुभाषिये के साथ" in rendered.text


def test_a_translation_with_a_wrong_placeholder_is_not_used(tmp_path, monkeypatch):
    catalogue = read_catalogue(po_path("hi"))
    catalogue.get("Meeting cancelled: %(with)s").string = "बैठक रद्द: %(who)s"
    (tmp_path / "hi" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "hi" / "LC_MESSAGES" / "messages.po").open("wb") as out:
        write_po(out, catalogue)
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path)
    catalogues._translations.cache_clear()
    try:
        assert catalogues.translations("hi").gettext("Meeting cancelled: %(with)s") == "Meeting cancelled: %(with)s"
        assert catalogues.translations("hi").gettext("New meeting: %(with)s") == "नई बैठक: %(with)s"
    finally:
        catalogues._translations.cache_clear()
