"""``bsm schedule solve``: the README's example works and prints exactly the documented fields."""
import json
import re
from pathlib import Path

import pytest

from ops.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
RESULT_FIELDS = {"status", "meetings", "unscheduled", "value", "value_bound", "breaks", "breaks_bound", "idle_slots", "seconds"}


def readme_example() -> dict:
    section = README.read_text(encoding="utf-8").split("bsm schedule solve PROBLEM.json", 1)[1]
    return json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["schedule", "solve", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_readme_example_is_solved_as_the_readme_says(tmp_path, capsys):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(readme_example()))
    code, out, _ = run(capsys, str(path), "--time-limit", "3")
    result = json.loads(out)
    assert code == 0 and set(result) == RESULT_FIELDS
    assert result["status"] == "optimal" and result["value"] == result["value_bound"] == 23.0
    assert {(m["a"], m["b"]): m["slot"] for m in result["meetings"]} == {("potter", "importer"): 1, ("weaver", "importer"): 2, ("weaver", "retailer"): 3}
    assert [m["table"] for m in result["meetings"] if m["a"] == "potter"] == [2]
    assert result["unscheduled"] == [{"a": "potter", "b": "retailer", "reason": "availability"}]
    assert result["breaks"] == result["breaks_bound"] == result["idle_slots"] == 0


def test_locks_that_break_a_rule_give_an_infeasible_result_with_the_reason(tmp_path, capsys):
    problem = readme_example()
    problem["locked"].append({"a": "weaver", "b": "retailer", "slot": 1})
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    code, out, _ = run(capsys, str(path))
    result = json.loads(out)
    assert code == 0 and set(result) == RESULT_FIELDS and result["status"] == "infeasible"
    assert any("retailer is not available" in u["reason"] for u in result["unscheduled"])


@pytest.mark.parametrize("change, field", [
    ({"tables": 0}, "tables"),
    ({"meetings": [{"a": "weaver", "b": "nobody"}]}, "meetings[0].b"),
    ({"participants": {"weaver": {"available": [9]}}}, "participants.weaver.available"),
    ({"time_limit_s": -1}, "time_limit_s"),
])
def test_a_malformed_problem_exits_2_naming_the_field(tmp_path, capsys, change, field):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({**readme_example(), **change}))
    code, out, err = run(capsys, str(path))
    assert code == 2 and out == "" and field in err
