"""Languages and GI tags as import sheets spell them, and what each is taken as."""
import pytest

from services.registration.domain.reference import GI_TAGS, LANGUAGES
from services.registration.domain.vocabularies import GI_TAG_ALIASES, LANGUAGE_NAMES, canonical_row, gi_tag, language, split_list


@pytest.mark.parametrize(
    "given, code, how",
    [
        ("ks", "ks", "code"), ("KAS", "ks", "code"), ("Kashmiri", "ks", "name"), ("کٲشُر", "ks", "name"), ("کٲشر", "ks", "name"),
        ("Hindi", "hi", "name"), ("हिन्दी", "hi", "name"), ("हिंदी", "hi", "name"), ("hin", "hi", "code"),
        ("Urdu", "ur", "name"), ("اردو", "ur", "name"), ("Dogri", "doi", "name"), ("डोगरी", "doi", "name"), (" english ", "en", "name"),
    ],
)
def test_languages_go_by_iso_code_english_name_or_their_own_name(given, code, how):
    found = language(given)
    assert (found.canonical, found.how) == (code, how)


def test_unknown_languages_are_left_for_validation_to_refuse():
    assert language("Klingon") is None and language("") is None


@pytest.mark.parametrize(
    "given, tag, how",
    [
        ("Kashmir Papier Mache", "Kashmir Paper Machie", "name"),
        ("Kashmir Hand Knotted Carpet", "Kashmiri Hand Knotted Carpet", "name"),
        ("kashmir papier-mâché", "Kashmir Paper Machie", "name"),
        ("Sulai Honey", "Ramban Sulai Honey", "name"),
        ("Kalari", "Udhampur Kalari", "name"),
        ("Chikri Wood Craft", "Rajouri Chikri Wood Craft", "name"),
        ("Sozni", "Kashmir Sozani Craft", "name"),
        ("Kashmir Pashmeena", "Kashmir Pashmina", "close spelling"),
        ("Basohli Paintng", "Basohli Painting", "close spelling"),
    ],
)
def test_gi_tags_go_by_registry_name_alias_or_a_close_spelling(given, tag, how):
    found = gi_tag(given)
    assert (found.canonical, found.how) == (tag, how)


def test_a_spelling_close_to_no_single_tag_is_not_guessed():
    assert gi_tag("Basohli") is None and gi_tag("Leather shoes") is None


def test_every_canonical_value_has_its_names_and_maps_to_itself():
    assert set(LANGUAGE_NAMES) == set(LANGUAGES) and set(GI_TAG_ALIASES) == set(GI_TAGS)
    assert all(language(code).canonical == code for code in LANGUAGES)
    assert all(gi_tag(tag).canonical == tag for tag in GI_TAGS)


def test_a_row_is_mapped_field_by_field_and_reports_each_mapping():
    row = {
        "name": "Zoë", "preferred_language": "Kashmiri", "languages": "Hindi / हिन्दी, en and Urdu",
        "products": [{"name": "Boxes", "gi_tag": "Kashmir Papier Mache"}, {"name": "Shawl", "gi_tag": "Kani Shawl"}],
        "sourcing": {"gi_tags": ["Kashmir Hand Knotted Carpet", "Made up tag"]},
    }
    mapped_row, mapped = canonical_row(row)
    assert mapped_row["preferred_language"] == "ks" and mapped_row["languages"] == ["hi", "en", "ur"]
    assert [p["gi_tag"] for p in mapped_row["products"]] == ["Kashmir Paper Machie", "Kani Shawl"]
    assert mapped_row["sourcing"]["gi_tags"] == ["Kashmiri Hand Knotted Carpet", "Made up tag"]
    assert {m["field"]: (m["given"], m["canonical"]) for m in mapped} == {
        "preferred_language": ("Kashmiri", "ks"), "languages.0": ("Hindi", "hi"), "languages.1": ("हिन्दी", "hi"),
        "languages.3": ("Urdu", "ur"), "products.0.gi_tag": ("Kashmir Papier Mache", "Kashmir Paper Machie"),
        "sourcing.gi_tags.0": ("Kashmir Hand Knotted Carpet", "Kashmiri Hand Knotted Carpet"),
    }
    assert row["preferred_language"] == "Kashmiri"


def test_a_list_in_one_cell_splits_on_the_usual_separators():
    assert split_list("Kashmiri, Urdu and English") == ["Kashmiri", "Urdu", "English"]
    assert split_list("ks;hi|doi/en & ur") == ["ks", "hi", "doi", "en", "ur"]
