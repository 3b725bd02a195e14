"""Languages and GI tags as import sheets spell them, and what each is taken as."""
import pytest

from services.registration.domain import participants
from services.registration.domain.reference import GI_TAGS, LANGUAGES
from services.registration.domain.vocabularies import (
    COUNTRY_CODES, GI_TAG_ALIASES, INDIAN_STATES, LANGUAGE_NAMES, canonical_row, coded, country, gi_tag, indian_state, language, split_list,
)


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


@pytest.mark.parametrize(
    "vocabulary, given, code, how",
    [
        ("category", "handicraft", "handicraft", "code"), ("category", "Handicrafts", "handicraft", "name"),
        ("category", "HANDLOOM", "handloom", "name"), ("category", "Processed Food", "processed_food", "name"),
        ("category", "processed foods", "processed_food", "name"), ("category", "Dry Fruit", "dry_fruits", "name"),
        ("enterprise_kind", "Producer Organisation", "producer_organisation", "name"), ("enterprise_kind", "MSME", "msme", "name"),
        ("buyer_kind", "Retail Brand", "retail_brand", "name"), ("buyer_kind", "E-commerce", "ecommerce", "name"), ("buyer_kind", "Importers", "importer", "name"),
        ("certification", "GI Authorised User", "gi_authorised_user", "name"), ("certification", "FSSAI", "fssai", "name"),
    ],
)
def test_coded_values_go_by_code_in_any_case_or_as_words_singular_or_plural(vocabulary, given, code, how):
    found = coded(vocabulary, given)
    assert (found.canonical, found.how) == (code, how)


def test_every_code_names_itself_and_unknown_words_are_left_for_validation():
    for vocabulary, codes in (("category", participants.CATEGORIES), ("buyer_kind", participants.BUYER_KINDS),
                              ("enterprise_kind", participants.ENTERPRISE_KINDS), ("certification", participants.CLAIM_KINDS)):
        assert all(coded(vocabulary, c).canonical == c for c in codes)
    assert coded("category", "Jewellery") is None and coded("buyer_kind", "handicraft") is None


@pytest.mark.parametrize(
    "given, state, how",
    [
        ("Maharashtra", "Maharashtra", "name"), ("maharashtra", "Maharashtra", "name"), ("Mahārāshtra", "Maharashtra", "name"),
        ("IN-MH", "Maharashtra", "code"), ("mh", "Maharashtra", "code"), ("Tamil Nadu", "Tamil Nadu", "name"),
        ("J&K", "Jammu and Kashmir", "name"), ("Jammu & Kashmir", "Jammu and Kashmir", "name"), ("Orissa", "Odisha", "name"),
        ("Pondicherry", "Puducherry", "name"), ("NCT of Delhi", "Delhi", "name"), ("Ladakh", "Ladakh", "name"),
        ("Telengana", "Telangana", "close spelling"),
    ],
)
def test_states_of_india_go_by_name_iso_code_former_name_or_close_spelling(given, state, how):
    found = indian_state(given)
    assert (found.canonical, found.how) == (state, how)


def test_india_has_its_36_states_and_union_territories_without_diacritics():
    assert len(INDIAN_STATES) == 36 and {"Jammu and Kashmir", "Ladakh", "Delhi", "Uttar Pradesh"} <= set(INDIAN_STATES)
    assert all(name.isascii() for name in INDIAN_STATES)
    assert indian_state("Bavaria") is None and indian_state("Kashmir Valley") is None


@pytest.mark.parametrize(
    "given, code, how",
    [
        ("DE", "DE", "code"), ("de", "DE", "code"), ("DEU", "DE", "code"), ("Germany", "DE", "name"), ("germany ", "DE", "name"),
        ("United Arab Emirates", "AE", "name"), ("UAE", "AE", "name"), ("UK", "GB", "name"), ("United Kingdom", "GB", "name"),
        ("USA", "US", "code"), ("United States", "US", "name"), ("South Korea", "KR", "name"), ("Russia", "RU", "name"),
        ("Turkey", "TR", "name"), ("India", "IN", "name"), ("Saudi Arabia", "SA", "name"),
    ],
)
def test_countries_go_by_iso_code_english_name_or_common_short_name(given, code, how):
    found = country(given)
    assert (found.canonical, found.how) == (code, how)


def test_made_up_country_codes_are_not_countries():
    assert country("ZZ") is None and country("Atlantis") is None
    assert "ZZ" not in COUNTRY_CODES and {"IN", "DE", "AE", "US"} <= set(COUNTRY_CODES) and len(COUNTRY_CODES) == 249


def test_a_buyer_row_maps_its_kind_country_categories_and_certificates():
    row = {
        "buyer_kind": "Retail Brand", "country": "India", "state": "maharashtra",
        "sourcing": {"categories": ["Handicrafts", "Processed Food"], "required_certifications": ["GI Authorised User"]},
    }
    mapped_row, mapped = canonical_row(row)
    assert (mapped_row["buyer_kind"], mapped_row["country"], mapped_row["state"]) == ("retail_brand", "IN", "Maharashtra")
    assert mapped_row["sourcing"] == {"categories": ["handicraft", "processed_food"], "required_certifications": ["gi_authorised_user"]}
    assert {m["field"] for m in mapped} == {
        "buyer_kind", "country", "state", "sourcing.categories.0", "sourcing.categories.1", "sourcing.required_certifications.0",
    }
    assert row["sourcing"]["categories"] == ["Handicrafts", "Processed Food"]


def test_a_foreign_buyers_region_is_kept_as_written():
    mapped_row, mapped = canonical_row({"country": "Germany", "state": "Bayern"})
    assert mapped_row == {"country": "DE", "state": "Bayern"} and [m["field"] for m in mapped] == ["country"]


def test_a_seller_rows_product_category_and_certificates_are_mapped():
    mapped_row, mapped = canonical_row({"enterprise_kind": "Weavers", "products": [{"name": "Shawl", "category": "Textiles", "certifications": ["Handloom Mark"]}]})
    assert mapped_row["enterprise_kind"] == "weaver"
    assert mapped_row["products"] == [{"name": "Shawl", "category": "textiles", "certifications": ["handloom_mark"]}]
    assert len(mapped) == 3
