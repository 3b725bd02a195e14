"""README's configuration table names exactly the environment variables the code reads.

The code's names are its string literals shaped like one (``BSM_...``, ``SMTP_...``; an
f-string such as ``f"{prefix}_PORT"`` or ``f"BSM_WORKERS_{name.upper()}"`` reads as
``<...>_PORT`` and ``BSM_WORKERS_<...>``), found with ``ast`` in every package that runs;
README's are the backticked names in the first column of its "Configuration" table, where
``<SERVICE>`` stands for any upper-case word.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "services", "deploy", "ops", "bench", "web")
PREFIXES = ("BSM_", "SMTP_", "SMS_", "KAFKA_", "MONGODB_", "MAIL_", "PROMETHEUS_")
NAME = re.compile(r"^(<[A-Z]+>|[A-Z][A-Z0-9]*)(_(<[A-Z]+>|[A-Z0-9]+))+$")


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "<X>" for part in node.values)
    return None


def _has_a_word(name: str) -> bool:
    """Whether ``name`` has a written part: ``<X>_PORT`` may be a variable's name, while
    ``<X>_<X>`` (``f"{field}_{row}"``, a form field's name) is only placeholders."""
    return any(part != "<X>" for part in name.split("_"))


def names_in_code() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                text = _literal(node)
                if text and NAME.match(text) and (text.startswith(PREFIXES) or text.startswith("<X>_")) and _has_a_word(text):
                    found.add(text)
    return found


def names_in_readme() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])}


def _pattern(name: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"<[A-Z]+>", "[A-Z<>]+", re.escape(name).replace(r"\<", "<").replace(r"\>", ">")) + "$")


def test_every_variable_the_code_reads_is_in_readme_and_nothing_else_is():
    code, readme = names_in_code(), names_in_readme()
    assert readme, "README has no configuration table"
    undocumented = sorted(n for n in code if not any(_pattern(r).match(n) for r in readme))
    stale = sorted(r for r in readme if not any(_pattern(r).match(n) for n in code))
    assert undocumented == [], "read by the code, missing from README's configuration table"
    assert stale == [], "in README's configuration table, read by no code"


def test_a_name_with_a_placeholder_matches_each_of_its_spellings():
    assert _pattern("<SERVICE>_PORT").match("REGISTRATION_PORT") and _pattern("<SERVICE>_PORT").match("<X>_PORT")
    assert not _pattern("BSM_ENV").match("BSM_ENVIRONMENT")
