"""``shared/`` sits below every service and tool: it imports the standard library, its
pinned dependencies and itself, never a service, ``ops``, ``bench`` or ``deploy``."""
import ast
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared"
ABOVE = ("services", "ops", "bench", "deploy", "tests")


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_shared_imports_nothing_that_sits_above_it():
    offending = {
        f"{path.relative_to(SHARED.parent)}: {name}"
        for path in SHARED.rglob("*.py")
        for name in _imported(path)
        if name.split(".")[0] in ABOVE
    }
    assert not offending, sorted(offending)
