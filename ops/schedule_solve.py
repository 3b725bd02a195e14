"""``bsm schedule solve PROBLEM.json [--time-limit S]``: the scheduler on a file, offline.

Prints the result JSON (format in ``services.matching.domain.problem_file`` and README).
Exit status 0 with a result (also for an infeasible problem), 2 for a malformed file.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from services.matching.domain.locks import Infeasible
from services.matching.domain.problem_file import BadProblem, infeasible_result, problem_from, result_of
from services.matching.domain.solver import solve

DEFAULT_TIME_LIMIT = 10.0


def add_commands(area) -> None:
    """Register ``schedule solve`` on the top-level subparsers ``area``."""
    schedule = area.add_parser("schedule", help="the meeting scheduler, offline").add_subparsers(dest="command", required=True)
    solve_parser = schedule.add_parser("solve", help="schedule the problem in a JSON file and print the result JSON")
    solve_parser.add_argument("problem", help="path of the problem JSON file ('-' for standard input)")
    solve_parser.add_argument("--time-limit", type=float, help="seconds (default: the file's time_limit_s, else 10)")


def run(args: argparse.Namespace) -> int:
    """Solve ``args.problem`` and print the result; 2 with a message on stderr for a bad file."""
    try:
        with (sys.stdin if args.problem == "-" else open(args.problem, encoding="utf-8")) as handle:
            problem, file_limit = problem_from(json.load(handle))
    except (OSError, json.JSONDecodeError, BadProblem) as exc:
        print(f"bsm schedule solve: {exc}", file=sys.stderr)
        return 2
    limit = args.time_limit or file_limit or DEFAULT_TIME_LIMIT
    started = time.perf_counter()
    try:
        result = result_of(solve(problem, limit))
    except Infeasible as exc:
        result = infeasible_result(problem, str(exc), time.perf_counter() - started)
    print(json.dumps(result, indent=2))
    return 0
