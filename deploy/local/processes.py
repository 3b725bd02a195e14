"""The platform's processes on one machine: what runs, how it starts, when it is ready.

Used by ``make run`` (``deploy/local/run.py``) and by the end-to-end tests, so both start
exactly the same processes. Each process logs JSON lines to ``<log_dir>/<name>.log``.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from web.config import web_port

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("registration", "matching", "notifications")
DEFAULT_PORTS = {"registration": 8001, "matching": 8002, "notifications": 8003}
WORKERS = {
    "registration": ("relay",),
    "matching": ("consumer", "relay", "followups", "suggestions"),
    "notifications": ("consumer", "dispatcher", "digests", "relay"),
}


@dataclass(frozen=True)
class Process:
    name: str
    argv: tuple[str, ...]
    ready_url: str | None = None


def api_port(service: str, env: Mapping[str, str]) -> int:
    return int(env.get(f"{service.upper()}_PORT") or DEFAULT_PORTS[service])


API_WORKER = "shared.gunicorn_worker.ProblemWorker"  # gthread answering gunicorn's own refusals in problem+json
PAGES_WORKER = "gthread"  # the web app's: its refusals stay HTML pages, as deploy/k8s/web.yaml serves it


def api_argv(service: str, env: Mapping[str, str], port: int, python: str = sys.executable, app: str | None = None,
             worker_class: str = API_WORKER) -> tuple[str, ...]:
    """The command that serves ``service``'s API (or another WSGI ``app``, as
    "module:factory()") under gunicorn on ``port``, with the settings ``make run`` uses."""
    return (
        python, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", env.get("BSM_API_WORKERS", "2"),
        "--worker-class", worker_class, "--threads", env.get("BSM_API_THREADS", "4"),
        "--graceful-timeout", "10",
        app or f"services.{service}.app:create_app()",
    )


def processes(env: Mapping[str, str], python: str = sys.executable) -> list[Process]:
    """Every process of every service: the HTTP API under gunicorn and its workers."""
    result = []
    for service in SERVICES:
        port = api_port(service, env)
        result.append(Process(f"{service}-api", api_argv(service, env, port, python), ready_url=f"http://127.0.0.1:{port}/readyz"))
        for worker in WORKERS[service]:
            result.append(Process(f"{service}-{worker}", (python, "-m", f"services.{service}", worker)))
    port = int(env.get("BSM_OPS_PORT") or 8004)
    result.append(Process("ops-flow", (python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "ops.flow:create_app()"),
                          ready_url=f"http://127.0.0.1:{port}/healthz"))
    port = web_port(env)
    result.append(Process("web", api_argv("web", env, port, python, app="web.app:create_app()", worker_class=PAGES_WORKER), ready_url=f"http://127.0.0.1:{port}/healthz"))
    return result


class Platform:
    """Starts, watches and stops the service processes."""

    def __init__(self, env: Mapping[str, str], log_dir: Path, python: str = sys.executable):
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.log_dir = log_dir
        self.table = processes(self.env, python)
        self.running: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        for proc in self.table:
            self._spawn(proc)

    @property
    def metrics_dir(self) -> Path:
        return self.log_dir.parent / "metrics"

    def _spawn(self, proc: Process) -> None:
        """Start one process; a service's processes share a metrics folder, so its API's
        /metrics adds up what its workers counted; a dispatcher's journal of sent messages
        is kept beside the logs (each stack its own, across the process's restarts)."""
        service = proc.name.split("-", 1)[0]
        env = dict(self.env)
        if service in SERVICES:
            folder = self.metrics_dir / service
            folder.mkdir(parents=True, exist_ok=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        if proc.name == "notifications-dispatcher":
            env.setdefault("BSM_SENT_JOURNAL_DIR", str(self.log_dir.parent / "sent-journal"))
        log = open(self.log_dir / f"{proc.name}.log", "ab")
        self.running[proc.name] = subprocess.Popen(
            proc.argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for proc in self.table:
            while proc.ready_url and not answers(proc.ready_url):
                if self.running[proc.name].poll() is not None:
                    raise RuntimeError(f"{proc.name} exited; see {self.log_dir / (proc.name + '.log')}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{proc.name} not ready at {proc.ready_url}")
                time.sleep(0.2)

    def restart_exited(self) -> list[str]:
        """Start again any process that died; return their names."""
        restarted = []
        for proc in self.table:
            if self.running[proc.name].poll() is not None:
                self._spawn(proc)
                restarted.append(proc.name)
        return restarted

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to one process (and its children) and, for SIGKILL, wait until it is gone."""
        popen = self.running[name]
        if popen.poll() is None:
            os.killpg(popen.pid, sig)
            if sig == signal.SIGKILL:
                popen.wait()

    def restart(self, name: str) -> None:
        """Start one process again (after ``kill``), with the same command and log."""
        self._spawn(next(proc for proc in self.table if proc.name == name))

    def stop(self, timeout: float = 15.0) -> None:
        for popen in self.running.values():
            if popen.poll() is None:
                os.killpg(popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for popen in self.running.values():
            try:
                popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
        self.running.clear()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
