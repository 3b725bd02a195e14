"""``python -m bench [name ...]``: run the benchmarks, one JSON line of figures each."""
from __future__ import annotations

import json
import sys

from bench import outbox_relay
from bench.stack import bench_stack

BENCHMARKS = {"outbox_relay": outbox_relay.run}


def main(names: list[str]) -> None:
    chosen = names or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    with bench_stack() as env:
        for name in chosen:
            print(json.dumps(BENCHMARKS[name](env)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
