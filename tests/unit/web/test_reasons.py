"""Every reason and concern matching's scoring writes has a sentence shape the web pages
translate (read from services/matching/domain/scoring.py, so a new wording there fails
here until it is added to web/participant/reasons.py and translated)."""
from __future__ import annotations

import ast
from pathlib import Path

from web.app import create_app
from web.participant.reasons import translated
from tests.offline import NO_SERVICES

SCORING = Path(__file__).resolve().parents[3] / "services" / "matching" / "domain" / "scoring.py"


def written_sentences() -> list[str]:
    """The sentences scoring appends to ``reasons`` and ``concerns``, each formatted value
    written as "Xyz"."""
    found = []
    for node in ast.walk(ast.parse(SCORING.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("reasons", "concerns")):
            [argument] = node.args
            if isinstance(argument, ast.Constant):
                found.append(argument.value)
            else:
                found.append("".join(part.value if isinstance(part, ast.Constant) else "Xyz" for part in argument.values))
    return found


def test_every_sentence_matching_writes_is_shown_in_urdu():
    sentences = written_sentences()
    assert len(sentences) >= 14
    with create_app(NO_SERVICES).test_request_context("/", headers={"Cookie": "lang=ur"}):
        for sentence in sentences:
            shown = translated(sentence)
            assert shown != sentence, sentence
            assert shown.count("Xyz") == sentence.count("Xyz"), (sentence, shown)


def test_a_sentence_of_an_unknown_shape_is_shown_as_it_came():
    with create_app(NO_SERVICES).test_request_context("/", headers={"Cookie": "lang=ur"}):
        assert translated("a brand new reason") == "a brand new reason"
    with create_app(NO_SERVICES).test_request_context("/", headers={"Cookie": "lang=en"}):
        assert translated("you both speak Hindi and Urdu") == "you both speak Hindi and Urdu"
