"""The shared guards against hostile input: free-text checks, JSON nesting, CSV cells."""
import sys
import unicodedata

import jsonschema_rs
import pytest

from shared.csv_output import csv_text, defuse_cell
from shared.http import json_nesting
from shared.text import blank_pattern, clean_text, is_blank, text_pattern, text_problem


@pytest.mark.parametrize("text, depth", [("1", 0), ('{"a": [1]}', 2), ('["[[[", "{{\\"{"]', 1), (b"[[[]]]", 3), ('{"a": {"b": [{}]}}', 4)])
def test_json_nesting_counts_brackets_outside_strings(text, depth):
    assert json_nesting(text) == depth


def test_json_nesting_stops_counting_past_the_limit():
    assert json_nesting("[" * 100_000, stop_above=32) == 33


@pytest.mark.parametrize("bad", ["a\nb", "a\x00", "\ud800", "a\rb", "\x1b[0m", "\x7f", "\u0085", "a\u2028b", "\ue000", "\U000f0000", "\U0010fffd"])
def test_single_line_text_refuses_controls_surrogates_and_private_use(bad):
    with pytest.raises(ValueError):
        clean_text(bad)


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
@pytest.mark.parametrize("multi_line", [False, True])
def test_bidirectional_controls_that_reach_past_themselves_are_refused(control, multi_line):
    """A right-to-left override left open in a name turns "Meeting with X at 10:00" into
    "Meeting with X 00:01 ta" wherever it is shown (CVE-2021-42574)."""
    with pytest.raises(ValueError, match=f"bidirectional control \\(U\\+{ord(control):04X}\\) at character 5"):
        clean_text(f"Dar {control}Works", multi_line)


@pytest.mark.parametrize("text", ["Dar \u200fWorks", "\u0641\u200e 12", "\u061c\u0661\u0662", "\u062f\u0627\u0631 \u06a9\u0634\u0645\u06cc\u0631 (Dar Kashmir)"])
def test_right_to_left_text_and_the_bidirectional_marks_pass(text):
    assert clean_text(text) == text


def test_multi_line_text_keeps_line_feeds_and_tabs_only():
    assert clean_text("one\r\ntwo\tthree\n", multi_line=True) == "one\ntwo\tthree\n"
    for bad in ("a\rb", "a\x00", "\ud800", "a\x0bb"):
        with pytest.raises(ValueError):
            clean_text(bad, multi_line=True)


@pytest.mark.parametrize("multi_line", [False, True])
def test_the_documented_text_pattern_accepts_exactly_what_the_check_accepts(multi_line):
    """Read as JSON Schema reads patterns (ECMA-262 semantics, here by jsonschema_rs), for
    every code point a JSON string can carry (surrogates cannot stand alone in one)."""
    pattern = jsonschema_rs.validator_for({"type": "string", "pattern": text_pattern(multi_line)})
    differ = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and pattern.is_valid(f"a{chr(code)}b") != (text_problem(f"a{chr(code)}b", multi_line) is None)
    ]
    assert differ == []
    assert pattern.is_valid("") and pattern.is_valid("Dar Papier Mache Works")


@pytest.mark.parametrize("blank", [" ", "   ", "\u00a0", "\u3000\u2002", "\u200b", "\u200d\u200c", "\ufeff", "\u200f ", "\u2060\u00ad"])
def test_text_holding_nothing_visible_is_refused(blank):
    with pytest.raises(ValueError, match="only spaces or invisible"):
        clean_text(blank)
    with pytest.raises(ValueError, match="only spaces or invisible"):
        clean_text(blank + "\t\n", multi_line=True)


@pytest.mark.parametrize("text", ["", " Dar ", "\u0915\u094d\u200d\u0937", "\u200b.", "\u00a0\u0641"])
def test_empty_text_and_text_with_something_visible_pass_the_blank_rule(text):
    assert not is_blank(text)
    assert clean_text(text) == unicodedata.normalize("NFC", text)


def test_the_documented_blank_pattern_refuses_exactly_what_the_blank_rule_refuses():
    """Every code point alone, and each beside a space, as JSON Schema reads the pattern."""
    pattern = jsonschema_rs.validator_for({"type": "string", "not": {"pattern": blank_pattern()}})
    differ = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF
        for text in (chr(code), f" {chr(code)}\u200b")
        if pattern.is_valid(text) != (not is_blank(text))
    ]
    assert differ == []
    assert pattern.is_valid("") and not pattern.is_valid("   ")


def test_characters_newer_than_the_servers_unicode_tables_pass():
    assert clean_text("Pink heart \U0001fa77, moose \U0001facf") == "Pink heart \U0001fa77, moose \U0001facf"


def test_text_is_normalised_to_nfc_and_joiners_stay():
    assert clean_text("Jose\u0301") == "Jos\u00e9"
    assert clean_text("\u0915\u094d\u200d\u0937") == "\u0915\u094d\u200d\u0937"


@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"), ("+91 98", "'+91 98"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-12.50", "-12.50"), ("Pashmina", "Pashmina"), (None, ""), (5, "5"),
])
def test_csv_cells_a_spreadsheet_would_run_get_a_quote_in_front(cell, written):
    assert defuse_cell(cell) == written


def test_csv_text_quotes_every_cell():
    assert csv_text([["=A1", "ok"], ["", 1]]) == '"\'=A1","ok"\r\n"","1"\r\n'
