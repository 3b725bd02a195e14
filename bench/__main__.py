"""``python -m bench [name ...]``: run the benchmarks, one JSON line of figures each.

Benchmarks that need Kafka and FerretDB get them started (on their own ports) once.
Those in ``ONLY_WHEN_NAMED`` (the fault suite, which takes many minutes and brings its own
stack) run only when named: ``python -m bench faults``.
"""
from __future__ import annotations

import json
import sys
from contextlib import nullcontext

from bench import faults, imports, notifications, outbox_relay, pipeline, publish, registration_api, scheduler
from bench.stack import bench_stack

BENCHMARKS = {"scheduler": (scheduler.run, False), "outbox_relay": (outbox_relay.run, True), "dispatcher": (notifications.run, True),
              "pipeline": (pipeline.run, True), "publish": (publish.run, True), "registration_api": (registration_api.run, True), "import": (imports.run, True),
              "faults": (faults.run, False)}
ONLY_WHEN_NAMED = {"faults"}


def main(names: list[str]) -> None:
    chosen = names or [n for n in BENCHMARKS if n not in ONLY_WHEN_NAMED]
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    needs_stack = any(BENCHMARKS[n][1] for n in chosen)
    with bench_stack() if needs_stack else nullcontext({}) as env:
        for name in chosen:
            results = BENCHMARKS[name][0](env)
            for result in results if isinstance(results, list) else [results]:
                print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
