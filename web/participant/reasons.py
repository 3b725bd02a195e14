"""Matching's reasons and concerns ("makes handloom products, which Dilli Haat sources"),
in the page's language.

Matching's recommendations give them as English sentences. Each sentence shape it writes
has a gettext entry here; the names and words inside (a buyer's name, "handloom", "Hindi")
stay as matching wrote them. A sentence of a shape not listed (matching worded a new one)
is shown in English, as it came; a test compares these shapes with matching's scoring code.
"""
from __future__ import annotations

import re

from web.i18n import gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated when shown."""
    return message


SHAPES = [
    (r"makes (?P<what>.+) products, which (?P<buyer>.+) sources", N_("makes %(what)s products, which %(buyer)s sources")),
    (r"offers (?P<what>.+), which the buyer asked for", N_("offers %(what)s, which the buyer asked for")),
    (r"holds verified (?P<what>.+) certification, as required", N_("holds verified %(what)s certification, as required")),
    (r"the buyer requires (?P<what>.+), not verified for this seller", N_("the buyer requires %(what)s, not verified for this seller")),
    (r"makes GI-tagged (?P<what>.+), which you asked for", N_("makes GI-tagged %(what)s, which you asked for")),
    (r"can supply the yearly volume the buyer needs", N_("can supply the yearly volume the buyer needs")),
    (r"monthly capacity may be short of the buyer's yearly volume", N_("monthly capacity may be short of the buyer's yearly volume")),
    (r"prices fall within the buyer's price band", N_("prices fall within the buyer's price band")),
    (r"prices are outside the buyer's band", N_("prices are outside the buyer's band")),
    (r"is ready to export to (?P<country>.+)", N_("is ready to export to %(country)s")),
    (r"not yet export-ready for an international buyer", N_("not yet export-ready for an international buyer")),
    (r"you both speak (?P<languages>.+)", N_("you both speak %(languages)s")),
    (r"no common language: an interpreter is needed", N_("no common language: an interpreter is needed")),
    (r"brings products from (?P<district>.+), rarely seen at this meet", N_("brings products from %(district)s, rarely seen at this meet")),
]
_COMPILED = [(re.compile(f"^{pattern}$"), message) for pattern, message in SHAPES]


def translated(sentence: str) -> str:
    """``sentence`` (one of matching's reasons or concerns) in the page's language."""
    for pattern, message in _COMPILED:
        found = pattern.match(sentence)
        if found:
            return gettext(message) % found.groupdict()
    return sentence
