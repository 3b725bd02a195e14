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


def state_dir() -> Path:
    return Path(os.environ.get("BSM_BENCH_STATE_DIR", str(REPO / ".state" / "bench")))


def database_pids() -> dict[str, int]:
    """The pids of the benchmark stack's database server processes: ``ferretdb`` and the
    write ``guard`` in front of it (from the stack's pid files)."""
    pids = {}
    for name, pid_file in (("ferretdb", "ferretdb.pid"), ("guard", "mongo.pid")):
        path = state_dir() / "pids" / pid_file
        if path.exists():
            pids[name] = int(path.read_text())
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (Linux /proc; 0 for a pid gone)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def process_group(pgid: int) -> list[int]:
    """The pids in process group ``pgid`` (a gunicorn master and its workers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    members.append(int(entry.name))
            except OSError:
                continue
    return members


@contextmanager
def bench_stack() -> Iterator[dict[str, str]]:
    stack = stack_from_env({**BENCH_ENV, "BSM_STATE_DIR": str(state_dir())})
    stack.reset()
    stack.start()
    try:
        yield dict(BENCH_ENV)
    finally:
        stack.stop()
