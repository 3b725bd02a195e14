"""A seller CSV as spreadsheets save it, read into rows the import registers."""
import pytest

from services.registration.actions.imports import BadFile, parse_csv


def test_semicolons_and_a_languages_column_are_read():
    text = "name;district;phone;languages;gi_tag;product;category\nZoë Café – Kani Weaves;Budgam;919876512346;Kashmiri, Urdu;Kani Shawl;Shawl;handloom\n"
    [row] = parse_csv(text)
    assert row["name"] == "Zoë Café – Kani Weaves" and row["phone"] == "919876512346"
    assert row["languages"] == "Kashmiri, Urdu"
    assert row["products"][0]["gi_tag"] == "Kani Shawl"


def test_wrong_columns_are_named_with_the_delimiter_the_header_was_read_with():
    with pytest.raises(BadFile, match=r"separated by tabs\): unknown \['shoe_size'\], missing \['phone'\]"):
        parse_csv("name\tdistrict\tshoe_size\nA\tBudgam\t42\n")


def test_without_a_preferred_language_the_first_one_listed_is_preferred_not_english():
    [listed, preferred, neither] = parse_csv(
        "name,district,phone,languages,preferred_language\nA B,Budgam,9811000001,\"Kashmiri; Urdu\",\n"
        "C D,Budgam,9811000002,Hindi,ur\nE F,Budgam,9811000003,,\n"
    )
    assert listed["preferred_language"] == "Kashmiri" and preferred["preferred_language"] == "ur"
    assert "preferred_language" not in neither
