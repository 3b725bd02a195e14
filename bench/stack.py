"""The real Kafka and FerretDB the benchmarks measure against, on their own ports and state."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from deploy.local.stack import stack_from_env

REPO = Path(__file__).resolve().parents[1]
BENCH_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("BSM_BENCH_KAFKA", "127.0.0.1:29092"),
    "KAFKA_CONTROLLER_PORT": os.environ.get("BSM_BENCH_KAFKA_CONTROLLER_PORT", "29093"),
    "MONGODB_URI": os.environ.get("BSM_BENCH_MONGODB_URI", "mongodb://127.0.0.1:29017/"),
}


@contextmanager
def bench_stack() -> Iterator[dict[str, str]]:
    stack = stack_from_env({**BENCH_ENV, "BSM_STATE_DIR": os.environ.get("BSM_BENCH_STATE_DIR", str(REPO / ".state" / "bench"))})
    stack.reset()
    stack.start()
    try:
        yield dict(BENCH_ENV)
    finally:
        stack.stop()
