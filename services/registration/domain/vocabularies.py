"""What imported rows may call a language or a GI tag, and what each is taken as.

Spreadsheets filled in by organisers and field staff name languages as they speak of them
("Kashmiri", "کٲشُر", "Hindi", "हिन्दी") and GI tags as they are spelt around the trade
("Kashmir Papier Mache", "Kashmir Hand Knotted Carpet"). Imports accept every spelling
listed here and report what each was mapped to; the JSON API keeps taking the canonical
values only (the codes of ``reference.LANGUAGES`` and the registry names of
``reference.GI_TAGS``, where a name the platform used before is read as the registry's).

Spellings are compared by ``spelling_key``: Unicode compatibility form, Latin accents and
Arabic-script vowel marks and hamza dropped (often left out in writing), case folded, and
every run of other characters than letters and digits read as one space. So "Papier-Mâché"
and "papier mache", or "کٲشُر" and "کٲشر", are the same spelling; Devanagari is compared
as written, so each common spelling is listed ("हिन्दी", "हिंदी"). A GI tag not listed is matched to the one listed spelling it is
closest to (``difflib`` ratio at least ``CLOSE_SPELLING``), if only one is that close.

Sources: language names are the ISO 639 codes (639-1, 639-2/3) with the English names and
each language's name for itself (Kashmiri in Perso-Arabic and Devanagari script);
GI names are those of the Geographical Indications Registry (Chennai), with the spellings
seen in organisers' and artisans' sheets as aliases.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from services.registration.domain.reference import GI_TAGS, LANGUAGES

LANGUAGE_CODES: dict[str, tuple[str, ...]] = {
    "ks": ("ks", "kas"), "ur": ("ur", "urd"), "hi": ("hi", "hin"), "doi": ("doi", "dgo"), "en": ("en", "eng"),
}
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "ks": ("Kashmiri", "Koshur", "Kashur", "کٲشُر", "کاشُر", "कॉशुर", "काशुर"),
    "ur": ("Urdu", "اُردُو", "उर्दू"),
    "hi": ("Hindi", "हिन्दी", "हिंदी", "ہندی"),
    "doi": ("Dogri", "डोगरी", "ڈوگری"),
    "en": ("English", "अंग्रेज़ी", "अंग्रेजी", "انگریزی"),
}

GI_TAG_ALIASES: dict[str, tuple[str, ...]] = {
    "Kashmir Pashmina": ("Pashmina", "Kashmiri Pashmina", "Pashmina Shawl"),
    "Kashmir Sozani Craft": ("Kashmir Sozni Craft", "Sozani", "Sozni", "Kashmir Sozani Embroidery", "Sozni Embroidery"),
    "Kani Shawl": ("Kashmir Kani Shawl", "Kanni Shawl", "Kani"),
    "Kashmiri Hand Knotted Carpet": (
        "Kashmir Hand Knotted Carpet", "Kashmiri Carpet", "Kashmir Carpet", "Hand Knotted Carpet", "Kashmiri Hand Made Carpet",
    ),
    "Kashmir Paper Machie": ("Kashmir Papier Mache", "Kashmir Paper Mache", "Kashmiri Papier Mache", "Papier Mache", "Paper Machie", "Paper Mache"),
    "Kashmir Walnut Wood Carving": ("Walnut Wood Carving", "Kashmiri Walnut Wood Carving", "Walnut Carving"),
    "Khatamband": ("Kashmir Khatamband", "Khatambandh", "Khatam Band"),
    "Kashmir Saffron": ("Kashmiri Saffron", "Saffron", "Kesar", "Zafran"),
    "Basohli Painting": ("Basohli Paintings", "Basohli Miniature Painting"),
    "Basohli Pashmina": ("Basohli Pashmina Woollen Products", "Basohli Pashmina Woolen Products"),
    "Bhaderwah Rajmash": ("Bhaderwah Rajma", "Bhadarwah Rajmash", "Bhadarwah Rajma"),
    "Ramban Anardana": ("Anardana", "Ramban Anar Dana"),
    "Mushqbudji Rice": ("Mushkbudji Rice", "Mushk Budji Rice", "Mushqbudji", "Mushkbudji"),
    "Udhampur Kalari": ("Kalari", "Kaladi", "Udhampur Kaladi"),
    "Ramban Sulai Honey": ("Sulai Honey",),
    "Rajouri Chikri Wood Craft": ("Chikri Wood Craft", "Chikri Woodcraft", "Rajouri Chikri Woodcraft", "Chikri"),
}
"""Registry name (``shared/gi_tags.py``) -> the other spellings imports take for it; the
names the platform used before (``gi_tags.RENAMED``) are among them."""

CLOSE_SPELLING = 0.88
LIST_SEPARATORS = re.compile(r"\s*(?:[,;/|&+\u060c\u061b]|\band\b)\s*")
"""Between the items of a list cell: , ; / | & + "and", and the Arabic-script comma and
semicolon (U+060C, U+061B) that Urdu and Kashmiri keyboards type."""


@dataclass(frozen=True)
class Mapped:
    """A value as given and what it was taken as; ``how`` is ``code``, ``name`` (a listed
    name or alias) or ``close spelling``."""

    given: str
    canonical: str
    how: str


_DROPPED_MARKS = re.compile("[\u0300-\u036f\u064b-\u065f\u0670]")


def spelling_key(text: str) -> str:
    """``text`` as spellings are compared (see the module docstring), e.g.
    ``spelling_key(" Papier-Mâché ") == "papier mache"``."""
    bare = _DROPPED_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(re.split(r"[^\w\u0900-\u097f]+|_", bare.casefold())).strip()


def _index(table: dict[str, tuple[str, ...]], include_canonical: bool) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in table.items():
        for spelling in ((canonical,) if include_canonical else ()) + aliases:
            key = spelling_key(spelling)
            if index.setdefault(key, canonical) != canonical:
                raise ValueError(f"{spelling!r} would name both {index[key]!r} and {canonical!r}.")
    return index


_LANGUAGES = _index({code: LANGUAGE_CODES[code] + (LANGUAGES[code],) + LANGUAGE_NAMES[code] for code in LANGUAGES}, False)
_LANGUAGE_CODES = {spelling_key(c) for codes in LANGUAGE_CODES.values() for c in codes}
_GI_TAGS = _index({tag: GI_TAG_ALIASES.get(tag, ()) for tag in GI_TAGS}, True)


def language(given: str) -> Mapped | None:
    """The platform's code for a language named by ISO 639 code, English name or its own
    name (``language("हिन्दी") == Mapped("हिन्दी", "hi", "name")``); None if unknown."""
    code = _LANGUAGES.get(spelling_key(given))
    if code is None:
        return None
    return Mapped(given, code, "code" if spelling_key(given) in _LANGUAGE_CODES else "name")


def gi_tag(given: str) -> Mapped | None:
    """The registered GI tag a spelling names: exactly, by a listed alias, or by the one
    listed spelling close enough to it; None if none."""
    key = spelling_key(given)
    if key in _GI_TAGS:
        return Mapped(given, _GI_TAGS[key], "name")
    close = difflib.get_close_matches(key, _GI_TAGS, n=2, cutoff=CLOSE_SPELLING)
    if close and len({_GI_TAGS[k] for k in close}) == 1:
        return Mapped(given, _GI_TAGS[close[0]], "close spelling")
    return None


YES, NO = ("yes", "y", "true", "1", "haan", "ha"), ("no", "n", "false", "0", "nahin", "nahi")


def yes_no(cell: str) -> bool | str:
    """A spreadsheet's yes/no cell as a boolean (yes, y, true, 1, haan; no, n, false, 0,
    nahin, any case); anything else is returned as written, for the row's schema to
    refuse naming the column (never read as no)."""
    word = cell.strip().lower()
    return True if word in YES else False if word in NO else cell


def preferred_of(cell: str) -> str:
    """The preferred language of a row that gives only the languages spoken: the first the
    platform writes messages in (``language``), else the first as written."""
    spoken = split_list(cell) or [cell]
    return next((item for item in spoken if language(item) is not None), spoken[0])


def split_list(cell: str) -> list[str]:
    """The items of a list written in one cell: ``"Kashmiri, Urdu and English"`` ->
    ``["Kashmiri", "Urdu", "English"]`` (``LIST_SEPARATORS``)."""
    return [item for item in LIST_SEPARATORS.split(cell) if item]


def canonical_row(row: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A participant row (``SellerIn`` or ``BuyerIn`` shape) with its language and GI tag
    values taken as their canonical forms, and the list of what was mapped, each
    ``{"field", "given", "canonical", "how"}`` (``field`` as ``languages.1`` or
    ``products.0.gi_tag``), only where the given value differs from the canonical one.
    Values no vocabulary knows are left as given, for validation to refuse by name, except
    in ``languages``: a language the platform does not write in (an importer's German)
    beside one it does is left out and reported (``how`` says so), not a reason to refuse
    the row. A ``languages`` given as one string is split into a list first, and a
    language named twice is kept once."""
    row = dict(row)
    mapped: list[dict[str, str]] = []

    def take(field: str, value: Any, lookup) -> Any:
        if not isinstance(value, str):
            return value
        found = lookup(value)
        if found is None:
            return value
        if found.canonical != value:
            mapped.append({"field": field, "given": value, "canonical": found.canonical, "how": found.how})
        return found.canonical

    if "preferred_language" in row:
        row["preferred_language"] = take("preferred_language", row["preferred_language"], language)
    if isinstance(row.get("languages"), str):
        row["languages"] = split_list(row["languages"])
    if isinstance(row.get("languages"), list):
        taken = [take(f"languages.{n}", v, language) for n, v in enumerate(row["languages"])]
        known = [v for v in taken if isinstance(v, str) and language(v) is not None]
        if known:
            for n, v in enumerate(taken):
                if isinstance(v, str) and language(v) is None:
                    mapped.append({"field": f"languages.{n}", "given": v, "canonical": "", "how": "left out: not a language the platform writes in"})
            taken = known
        row["languages"] = [v for n, v in enumerate(taken) if not isinstance(v, str) or v not in taken[:n]]
    if isinstance(row.get("products"), list):
        row["products"] = [
            {**p, "gi_tag": take(f"products.{n}.gi_tag", p["gi_tag"], gi_tag)} if isinstance(p, dict) and "gi_tag" in p else p
            for n, p in enumerate(row["products"])
        ]
    sourcing = row.get("sourcing")
    if isinstance(sourcing, dict) and isinstance(sourcing.get("gi_tags"), list):
        row["sourcing"] = {**sourcing, "gi_tags": [take(f"sourcing.gi_tags.{n}", v, gi_tag) for n, v in enumerate(sourcing["gi_tags"])]}
    return row, mapped
