"""``make run``: the whole platform on this machine, in the foreground; Ctrl-C stops it.

Starts (or reuses) Kafka and FerretDB, creates the topics, starts a local SMTP sink and
every service process, waits until each API is ready and says where everything is. A
process that dies is started again. ``run.py stop`` stops a running platform from another
terminal; ``run.py status`` says what is up.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from deploy.local.processes import SERVICES, Platform, Process, answers, api_port  # noqa: E402
from deploy.local.stack import Stack, stack_from_env  # noqa: E402
from web.config import web_port  # noqa: E402

CONSUMER_GROUPS = ("matching", "notifications")
LOCAL_DEFAULTS = {"BSM_ORGANISER_EMAILS": "organiser@bsm.local", "BSM_DIGEST_POLL_SECONDS": "15"}
"""What ``make run`` sets unless the environment says otherwise: organisers' digests and a
completed meet's results go to a local address (the SMTP sink keeps them), looked for often."""


def local_config(env: dict[str, str]) -> dict[str, str]:
    """``env`` with ``LOCAL_DEFAULTS`` filled in where it has no value of its own."""
    return {**env, **{name: value for name, value in LOCAL_DEFAULTS.items() if not env.get(name)}}


def state_dir(env) -> Path:
    return Path(env.get("BSM_STATE_DIR") or REPO / ".state" / "local")


def pid_file(env) -> Path:
    return state_dir(env) / "pids" / "run.pid"


def create_topics(env) -> list[str]:
    from shared import contracts
    from shared.config import load_settings
    from shared.consumer import dead_letter_topic
    from shared.kafka_io import ensure_topics

    settings = load_settings("platform", env)
    topics = [settings.topic(t) for t in contracts.topics()]
    topics += [dead_letter_topic(settings.topic_prefix, group) for group in CONSUMER_GROUPS]
    ensure_topics(settings, topics)
    return topics


def mail_sink(env) -> Process | None:
    """A local SMTP server, unless SMTP_HOST points elsewhere or something already listens."""
    host, port = env.get("SMTP_HOST", "127.0.0.1"), int(env.get("SMTP_PORT", "2525"))
    if host not in ("127.0.0.1", "localhost") or _port_open(host, port):
        return None
    folder = state_dir(env) / "mail"
    return Process("mailsink", (sys.executable, str(REPO / "deploy/local/mailsink.py"), "--port", str(port), "--dir", str(folder)))


def gateway_sink(env) -> Process | None:
    """A local SMS/WhatsApp gateway, unless SMS_GATEWAY_URL points at a real one."""
    if env.get("SMS_GATEWAY_URL"):
        return None
    port = env.get("BSM_LOCAL_GATEWAY_PORT", "2526")
    env["SMS_GATEWAY_URL"] = f"http://127.0.0.1:{port}/messages"
    folder = state_dir(env) / "sms"
    return Process("gatewaysink", (sys.executable, str(REPO / "deploy/local/gatewaysink.py"), "--port", port, "--dir", str(folder)))


def start(env) -> None:
    started_at = time.monotonic()
    env = local_config(env)
    stack = stack_from_env(env)
    stack.start()
    topics = create_topics(env)
    sinks = [s for s in (mail_sink(env), gateway_sink(env)) if s]
    platform = Platform(env, log_dir=state_dir(env) / "logs")
    platform.table[:0] = sinks
    stopping = {"now": False}

    def ask_to_stop(_signum, _frame):
        stopping["now"] = True

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)
    pid_file(env).parent.mkdir(parents=True, exist_ok=True)
    pid_file(env).write_text(str(os.getpid()))
    try:
        platform.start()
        platform.wait_ready(timeout=90)
        _print_summary(env, topics, platform, sinks, time.monotonic() - started_at)
        while not stopping["now"]:
            for name in platform.restart_exited():
                print(f"! {name} exited and was started again (log: {platform.log_dir / (name + '.log')})", flush=True)
            time.sleep(1)
    finally:
        print("\nstopping the services ...", flush=True)
        platform.stop()
        stack.stop()
        pid_file(env).unlink(missing_ok=True)
        print("stopped.", flush=True)


def stop(env) -> None:
    path = pid_file(env)
    if path.exists():
        pid = int(path.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            print(f"asked the platform (pid {pid}) to stop ...", flush=True)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.3)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
    stack_from_env(env).stop()


def status(env) -> None:
    stack_from_env(env).status()
    for service in SERVICES:
        port = api_port(service, env)
        state = "ready" if answers(f"http://127.0.0.1:{port}/readyz") else "down"
        print(f"{service:<14} http://127.0.0.1:{port}  {state}")
    state = "ready" if answers(f"http://127.0.0.1:{web_port(env)}/healthz") else "down"
    print(f"{'web app':<14} http://127.0.0.1:{web_port(env)}  {state}")


def _print_summary(env, topics, platform: Platform, sinks, seconds: float) -> None:
    print(f"\nThe BSM platform is up (in {seconds:.1f} s).\n")
    for service in SERVICES:
        port = api_port(service, env)
        print(f"  {service:<14} http://127.0.0.1:{port}   (/healthz, /readyz)")
    print(f"  flow page      http://127.0.0.1:{env.get('BSM_OPS_PORT', '8004')}/flow")
    print(f"  web app        http://127.0.0.1:{web_port(env)}/   (sellers and buyers; organisers at /organiser)")
    print(f"\n  Kafka          {env.get('KAFKA_BOOTSTRAP_SERVERS', '127.0.0.1:9092')}   topics: {', '.join(topics)}")
    print(f"  MongoDB wire   {env.get('MONGODB_URI', 'mongodb://127.0.0.1:27017/')}")
    names = {s.name for s in sinks}
    if "mailsink" in names:
        print(f"  SMTP sink      127.0.0.1:{env.get('SMTP_PORT', '2525')}   mail kept in {state_dir(env) / 'mail'}")
    if "gatewaysink" in names:
        print(f"  SMS gateway    {env['SMS_GATEWAY_URL']}   messages kept in {state_dir(env) / 'sms'} (GET lists them)")
    print(f"  organisers     {env['BSM_ORGANISER_EMAILS']}   get the daily digests and a completed meet's results")
    print(f"  processes      {', '.join(p.name for p in platform.table)}")
    print(f"  logs           {platform.log_dir}/<process>.log (JSON lines)")
    print("\nCtrl-C (or `make stop` elsewhere) stops it all.\n", flush=True)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the BSM platform locally.")
    parser.add_argument("command", nargs="?", default="start", choices=("start", "stop", "status"))
    command = parser.parse_args().command
    {"start": start, "stop": stop, "status": status}[command](dict(os.environ))


if __name__ == "__main__":
    main()
