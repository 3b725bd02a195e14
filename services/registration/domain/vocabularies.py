"""What imported rows may call a language, a GI tag, a coded value, a state or a country,
and what each is taken as.

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

Coded values (a product's category, an enterprise or buyer kind, a certificate kind) are
taken by their code in any case or written as words ("Processed Food", "GI Authorised
User"), and in the plural or singular ("Handicrafts"). States are India's states and
union territories of ISO 3166-2:IN (``pycountry``), by name with or without its
diacritics, by ISO code (``IN-MH`` or ``MH``), by a former or short name listed in
``STATE_ALIASES``, or by a close spelling; they are kept by their English names without
diacritics ("Maharashtra", "Tamil Nadu"). Countries are the ISO 3166-1 list
(``pycountry``), by alpha-2 or alpha-3 code, English name (ISO's or CLDR's, through
``babel``: "Germany", "South Korea") or a short name in ``COUNTRY_ALIASES`` ("UAE"),
and kept by alpha-2 code.

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

import pycountry
from babel import Locale

from services.registration.domain import participants
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

STATE_ALIASES: dict[str, tuple[str, ...]] = {
    "Jammu and Kashmir": ("J&K", "J & K", "J and K", "Jammu & Kashmir"),
    "Odisha": ("Orissa",),
    "Puducherry": ("Pondicherry",),
    "Uttarakhand": ("Uttaranchal",),
    "Delhi": ("NCT of Delhi", "National Capital Territory of Delhi"),
    "Dadra and Nagar Haveli and Daman and Diu": ("Dadra and Nagar Haveli", "Daman and Diu"),
}
"""A state's name (as ``INDIAN_STATES`` keeps it) -> its former and short names."""

COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "U.A.E."),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "England"),
    "US": ("USA", "U.S.A.", "U.S.", "America"),
    "TR": ("Turkey",),
    "NL": ("Holland",),
}
"""An alpha-2 code -> short names sheets use for the country that neither ISO nor CLDR lists."""

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


def _without_diacritics(name: str) -> str:
    return _DROPPED_MARKS.sub("", unicodedata.normalize("NFKD", name))


INDIAN_STATE_CODES: dict[str, str] = {
    _without_diacritics(s.name): s.code for s in sorted(pycountry.subdivisions.get(country_code="IN"), key=lambda s: s.code)
}
"""India's states and union territories (ISO 3166-2:IN): name without diacritics -> code."""
INDIAN_STATES: tuple[str, ...] = tuple(sorted(INDIAN_STATE_CODES))
COUNTRY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))
"""Every ISO 3166-1 alpha-2 code in use."""

_STATE_CODES = {spelling_key(code): name for name, code in INDIAN_STATE_CODES.items()} | {
    spelling_key(code.split("-")[1]): name for name, code in INDIAN_STATE_CODES.items()
}
_STATES = _index({name: STATE_ALIASES.get(name, ()) for name in INDIAN_STATES}, True)


COUNTRY_NAMES: dict[str, str] = {code: Locale("en").territories.get(code) or pycountry.countries.get(alpha_2=code).name for code in COUNTRY_CODES}
"""Every ISO 3166-1 alpha-2 code -> the country's English name as CLDR writes it
(``"KR": "South Korea"``), ISO's name where CLDR has none; by code."""


def _country_names() -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    for c in pycountry.countries:
        spellings = {c.name, getattr(c, "official_name", c.name), getattr(c, "common_name", c.name), COUNTRY_NAMES[c.alpha_2]}
        names[c.alpha_2] = tuple(sorted(spellings)) + COUNTRY_ALIASES.get(c.alpha_2, ())
    return names


_COUNTRY_CODES = {spelling_key(c.alpha_2): c.alpha_2 for c in pycountry.countries} | {
    spelling_key(c.alpha_3): c.alpha_2 for c in pycountry.countries
}
_COUNTRIES = _index(_country_names(), False)


def _coded(codes: tuple[str, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for code in codes:
        key = spelling_key(code)
        for spelling in (key, key[:-1] if key.endswith("s") else key + "s"):
            index.setdefault(spelling.replace(" ", ""), code)
    return index


CODED: dict[str, dict[str, str]] = {
    "category": _coded(participants.CATEGORIES),
    "enterprise_kind": _coded(participants.ENTERPRISE_KINDS),
    "buyer_kind": _coded(participants.BUYER_KINDS),
    "certification": _coded(participants.CLAIM_KINDS),
}
"""Each coded field's spellings (by ``spelling_key`` without spaces, so "E-commerce" is
"ecommerce"; singular and plural) -> its code."""


def coded(vocabulary: str, given: str) -> Mapped | None:
    """The code of ``CODED[vocabulary]`` a spelling names (``coded("category", "Processed
    Foods") == Mapped("Processed Foods", "processed_food", "name")``); None if none."""
    code = CODED[vocabulary].get(spelling_key(given).replace(" ", ""))
    if code is None:
        return None
    return Mapped(given, code, "code" if given == code else "name")


def indian_state(given: str) -> Mapped | None:
    """The state or union territory of India a spelling names, as ``INDIAN_STATES`` keeps
    it (``indian_state("maharashtra")``, ``indian_state("IN-MH")`` and
    ``indian_state("Mahārāshtra")`` all name ``"Maharashtra"``); None if none."""
    key = spelling_key(given)
    if key in _STATE_CODES:
        return Mapped(given, _STATE_CODES[key], "code")
    return _named(given, key, _STATES)


def country(given: str) -> Mapped | None:
    """The ISO 3166-1 alpha-2 code of the country a spelling names (``country("Germany")``,
    ``country("deu")`` and ``country("de")`` all name ``"DE"``); None if none."""
    key = spelling_key(given)
    if key in _COUNTRY_CODES:
        return Mapped(given, _COUNTRY_CODES[key], "code")
    return _named(given, key, _COUNTRIES)


def _named(given: str, key: str, index: dict[str, str]) -> Mapped | None:
    if key in index:
        return Mapped(given, index[key], "name")
    close = difflib.get_close_matches(key, index, n=2, cutoff=CLOSE_SPELLING)
    if close and len({index[k] for k in close}) == 1:
        return Mapped(given, index[close[0]], "close spelling")
    return None


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
    return _named(given, spelling_key(given), _GI_TAGS)


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
    """A participant row (``SellerIn`` or ``BuyerIn`` shape) with its language, GI tag,
    coded (``CODED``), country (``country`` and ``sourcing.destination_markets``) and state
    values taken as their canonical forms (a state
    only for a row in India, the default country), and the list of what was mapped, each
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

    for field in ("enterprise_kind", "buyer_kind"):
        if field in row:
            row[field] = take(field, row[field], lambda v, vocabulary=field: coded(vocabulary, v))
    if "country" in row:
        row["country"] = take("country", row["country"], country)
    if "state" in row and row.get("country", "IN") == "IN":
        row["state"] = take("state", row["state"], indian_state)
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
    category = lambda v: coded("category", v)  # noqa: E731
    certification = lambda v: coded("certification", v)  # noqa: E731

    def each(field: str, values: Any, lookup) -> Any:
        return [take(f"{field}.{n}", v, lookup) for n, v in enumerate(values)] if isinstance(values, list) else values

    if isinstance(row.get("products"), list):
        row["products"] = [dict(p) if isinstance(p, dict) else p for p in row["products"]]
        for n, product in enumerate(row["products"]):
            if not isinstance(product, dict):
                continue
            for field, lookup in (("gi_tag", gi_tag), ("category", category)):
                if field in product:
                    product[field] = take(f"products.{n}.{field}", product[field], lookup)
            if "certifications" in product:
                product["certifications"] = each(f"products.{n}.certifications", product["certifications"], certification)
    sourcing = row.get("sourcing")
    if isinstance(sourcing, dict):
        sourcing = row["sourcing"] = dict(sourcing)
        for field, lookup in (("gi_tags", gi_tag), ("categories", category), ("required_certifications", certification), ("destination_markets", country)):
            if field in sourcing:
                sourcing[field] = each(f"sourcing.{field}", sourcing[field], lookup)
    return row, mapped
