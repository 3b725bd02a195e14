"""The local infrastructure: a single-node Apache Kafka (KRaft) and FerretDB, no Docker.

    python deploy/local/stack.py fetch|start|stop|status|reset|env

Kafka's jars come from Maven Central (``deploy/local/kafka/pom.xml``); FerretDB is built
from the Go module proxy. Both are cached under ``BSM_CACHE_DIR`` (default
``~/.cache/bsm``), so only the first start is slow. Data lives under ``BSM_STATE_DIR``
(default ``.state/local``) and survives a stop; ``reset`` wipes it.

Endpoints come from ``KAFKA_BOOTSTRAP_SERVERS``, ``KAFKA_CONTROLLER_PORT`` and
``MONGODB_URI``. If one already answers and was not started here, it is used as it is;
if it does not answer and is on loopback, it is started here; a remote one that does
not answer is an error. Standard library only: this runs before anything is installed.
"""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
KAFKA_VERSION = "4.3.1"
FERRETDB_VERSION = "1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_PATCH_LEVEL = "bsm2"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def kafka_cluster_id() -> str:
    """A new cluster id as Kafka's ``Uuid.randomUuid()`` makes one: 16 random bytes in URL-safe
    base64 without padding, never starting with ``-`` (the storage tool would read it as an
    option)."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


class StackError(RuntimeError):
    """Something the person running the stack has to fix; the message says what."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @property
    def local(self) -> bool:
        return self.host in LOOPBACK or self.host.startswith("127.")

    def answers(self, timeout: float = 0.5) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout):
                return True
        except OSError:
            return False

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class UnixEndpoint:
    path: str
    local = True

    def answers(self, timeout: float = 0.5) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(self.path)
                return True
        except OSError:
            return False

    def __str__(self) -> str:
        return self.path


def _kafka_endpoint(bootstrap: str) -> Endpoint:
    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    return Endpoint(host.strip("[]") or "127.0.0.1", int(port))


def _mongo_endpoint(uri: str) -> Endpoint:
    parsed = urlparse(uri)
    first = (parsed.netloc.rsplit("@", 1)[-1]).split(",")[0]
    host, _, port = first.rpartition(":") if ":" in first else (first, "", "27017")
    return Endpoint(host.strip("[]") or "127.0.0.1", int(port or 27017))


class Component:
    """One server process we may start: where it listens, how it starts, how it is ready."""

    name = ""
    marker = ""

    def __init__(self, stack: "Stack", endpoint: Endpoint):
        self.stack = stack
        self.endpoint = endpoint

    @property
    def pid_file(self) -> Path:
        return self.stack.state_dir / "pids" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.stack.state_dir / "logs" / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid of the process we started, if it is still alive."""
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) and self._is_ours(pid) else None

    def _is_ours(self, pid: int) -> bool:
        """Guard against a stale pid file naming a pid that now belongs to another program."""
        try:
            return self.marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return True  # no /proc (not Linux): trust the pid file

    def fetch(self) -> None:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Write config and initialise storage before the first start."""

    def ready(self) -> bool:
        return self.endpoint.answers()

    def start(self, timeout: float = 120.0) -> str:
        if self.pid():
            self._wait_ready(timeout)
            return f"{self.name:<9} {self.endpoint}  running (started here, pid {self.pid()})"
        if self.endpoint.answers():
            return f"{self.name:<9} {self.endpoint}  using the server already there"
        if not self.endpoint.local:
            raise StackError(f"{self.name} at {self.endpoint} does not answer, and it is not on this machine to start")
        self.fetch()
        self.prepare()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.pid_file.write_text(str(process.pid))
        started = time.monotonic()
        self._wait_ready(timeout, process)
        return f"{self.name:<9} {self.endpoint}  started in {time.monotonic() - started:.1f} s (pid {process.pid}, log {self.log_file})"

    def _wait_ready(self, timeout: float, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if process is not None and process.poll() is not None:
                raise StackError(f"{self.name} exited with {process.returncode}; last lines of {self.log_file}:\n{self._tail()}")
            if time.monotonic() > deadline:
                raise StackError(f"{self.name} not ready after {timeout:.0f} s; last lines of {self.log_file}:\n{self._tail()}")
            time.sleep(0.2)

    def stop(self, timeout: float = 30.0) -> str | None:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return None
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        while self.endpoint.answers(0.2) and time.monotonic() < deadline + 5:
            time.sleep(0.2)
        self.pid_file.unlink(missing_ok=True)
        return f"{self.name:<9} stopped"

    def status(self) -> str:
        owner = "started here" if self.pid() else "not started here"
        return f"{self.name:<9} {self.endpoint}  {'up' if self.endpoint.answers() else 'down'} ({owner})"

    def _tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


class Kafka(Component):
    name = "kafka"
    marker = "kafka.Kafka"

    def __init__(self, stack: "Stack", endpoint: Endpoint, controller_port: int):
        super().__init__(stack, endpoint)
        self.controller_port = controller_port

    @property
    def libs(self) -> Path:
        return self.stack.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def data_dir(self) -> Path:
        return self.stack.state_dir / "kafka"

    def fetch(self) -> None:
        marker = self.libs.parent / "fetched"
        if marker.exists():
            return
        _need("mvn", "Maven")
        _need("java", "a JDK 17 or newer")
        print(f"fetching Kafka {KAFKA_VERSION} from Maven Central (once) ...", flush=True)
        shutil.rmtree(self.libs, ignore_errors=True)
        _run(
            [
                "mvn", "-q", "-B", "-f", str(REPO / "deploy/local/kafka/pom.xml"),
                f"-Dmaven.repo.local={self.stack.cache_dir / 'm2'}",
                f"-Dkafka.version={KAFKA_VERSION}",
                "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={self.libs}",
            ]
        )
        marker.write_text(KAFKA_VERSION)

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "server.properties").write_text(self._properties())
        (self.data_dir / "log4j2.properties").write_text(_LOG4J.format(log=self.log_file.with_suffix(".server.log")))
        if (self.data_dir / "logs" / "meta.properties").exists():
            return
        cluster_file = self.data_dir / "cluster.id"
        if not cluster_file.exists():
            cluster_file.write_text(kafka_cluster_id())
        _run(
            self._java("kafka.tools.StorageTool")
            + ["format", "-t", cluster_file.read_text().strip(), "-c", str(self.data_dir / "server.properties"), "--ignore-formatted"]
        )

    def command(self) -> list[str]:
        return self._java("kafka.Kafka", heap=True) + [str(self.data_dir / "server.properties")]

    def ready(self) -> bool:
        """The port answers and the broker has said it started (the controller comes first)."""
        if not self.endpoint.answers():
            return False
        if not self.pid():
            return True
        server_log = self.log_file.with_suffix(".server.log")
        return server_log.exists() and "Kafka Server started" in server_log.read_text(errors="replace")[-200_000:]

    def start(self, timeout: float = 120.0) -> str:
        server_log = self.log_file.with_suffix(".server.log")
        if not self.pid() and server_log.exists():
            server_log.unlink()  # so that readiness is judged on this start's log only
        return super().start(timeout)

    def _java(self, main_class: str, heap: bool = False) -> list[str]:
        options = ["-Xms512m", "-Xmx1g"] if heap else ["-Xmx256m"]
        return [
            "java", *options, "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp", f"{self.libs}/*", main_class,
        ]

    def _properties(self) -> str:
        port, cport = self.endpoint.port, self.controller_port
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{cport}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={self.data_dir / 'logs'}",
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                "",
            ]
        )


_LOG4J = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
"""


class FerretDB(Component):
    name = "ferretdb"
    marker = "ferretdb"

    @property
    def binary(self) -> Path:
        return self.stack.cache_dir / f"ferretdb-{FERRETDB_VERSION}-{FERRETDB_PATCH_LEVEL}" / "bin" / "ferretdb"

    def fetch(self) -> None:
        """Build FerretDB from the Go module proxy (once).

        ``go install module@version`` gives a binary that panics at start, because the module
        zip lacks the generated ``build/version/version.txt``; so the source is downloaded,
        copied out of the read-only module cache, given that file, and built.
        """
        if self.binary.exists():
            return
        _need("go", "Go")
        print(f"building FerretDB {FERRETDB_VERSION} from the Go module proxy (once, a few minutes) ...", flush=True)
        work = self.binary.parents[1]
        source = work / "src"
        shutil.rmtree(source, ignore_errors=True)
        env = {**os.environ, "GOFLAGS": "-mod=mod", "GOMODCACHE": str(self.stack.cache_dir / "gomod"), "CGO_ENABLED": "0"}
        module_dir = _run(["go", "mod", "download", "-json", f"{FERRETDB_MODULE}@v{FERRETDB_VERSION}"], env=env, capture=True)
        origin = Path(_json_field(module_dir, "Dir"))
        shutil.copytree(origin, source)
        for path in source.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        version_dir = source / "build" / "version"
        _patch_source(source)
        for name, value in (("version", f"v{FERRETDB_VERSION}"), ("commit", "unknown"), ("branch", "unknown"), ("package", "bsm-local")):
            (version_dir / f"{name}.txt").write_text(value + "\n")
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        _run(["go", "build", "-ldflags=-checklinkname=0", "-o", str(self.binary), "./cmd/ferretdb"], env=env, cwd=source)
        shutil.rmtree(source, ignore_errors=True)

    def command(self) -> list[str]:
        root = self.stack.state_dir / "ferretdb"
        (root / "data").mkdir(parents=True, exist_ok=True)
        (root / "state").mkdir(parents=True, exist_ok=True)
        Path(self.endpoint.path).unlink(missing_ok=True)
        return [
            str(self.binary),
            "--handler=sqlite",
            f"--sqlite-url=file:{root / 'data'}/?_pragma=synchronous(normal)",
            "--listen-addr=",
            f"--listen-unix={self.endpoint.path}",
            f"--state-dir={root / 'state'}",
            "--telemetry=disable",
            "--debug-addr=-",
            "--log-level=warn",
        ]

class WriteGuard(Component):
    """The MongoDB endpoint the platform uses: FerretDB behind ``write_guard.py``, which
    serialises write commands (FerretDB 1.x loses concurrent updates of one document)."""

    name = "mongo"
    marker = "write_guard.py"

    def __init__(self, stack: "Stack", endpoint: Endpoint, upstream: UnixEndpoint):
        super().__init__(stack, endpoint)
        self.upstream = upstream

    def fetch(self) -> None:
        pass

    def command(self) -> list[str]:
        guard = Path(__file__).with_name("write_guard.py")
        return [sys.executable, str(guard), "--listen", str(self.endpoint), "--upstream", self.upstream.path]

    def ready(self) -> bool:
        return self.endpoint.answers() and _mongo_ping(self.endpoint)


class Stack:
    """Kafka and FerretDB for one purpose (``make run``, the tests, the benchmarks)."""

    def __init__(
        self,
        state_dir: Path | str | None = None,
        cache_dir: Path | str | None = None,
        kafka_bootstrap: str = "127.0.0.1:9092",
        controller_port: int = 9093,
        mongodb_uri: str = "mongodb://127.0.0.1:27017/",
    ):
        self.state_dir = Path(state_dir or REPO / ".state" / "local").resolve()
        self.cache_dir = Path(cache_dir or os.environ.get("BSM_CACHE_DIR") or Path.home() / ".cache" / "bsm").resolve()
        self.kafka = Kafka(self, _kafka_endpoint(kafka_bootstrap), controller_port)
        self.ferretdb = FerretDB(self, UnixEndpoint(_socket_path(self.state_dir)))
        self.mongo = WriteGuard(self, _mongo_endpoint(mongodb_uri), self.ferretdb.endpoint)

    @property
    def components(self) -> tuple[Component, ...]:
        return (self.ferretdb, self.mongo, self.kafka)

    def fetch(self) -> None:
        for component in self.components:
            component.fetch()

    def start(self) -> None:
        mongo_elsewhere = not self.mongo.endpoint.local or (self.mongo.endpoint.answers() and not self.mongo.pid())
        for component in self.components:
            if component is self.ferretdb and mongo_elsewhere:
                continue
            print(component.start(), flush=True)

    def stop(self) -> None:
        for component in reversed(self.components):
            said = component.stop()
            if said:
                print(said, flush=True)

    def stop_kafka(self) -> None:
        self.kafka.stop()

    def start_kafka(self) -> None:
        print(self.kafka.start(), flush=True)

    def status(self) -> None:
        for component in self.components:
            print(component.status(), flush=True)

    def reset(self) -> None:
        """Stop what was started here and wipe the data."""
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def env(self) -> str:
        return f"export KAFKA_BOOTSTRAP_SERVERS={self.kafka.endpoint} MONGODB_URI=mongodb://{self.mongo.endpoint}/"


def stack_from_env(env: Mapping[str, str]) -> Stack:
    return Stack(
        state_dir=env.get("BSM_STATE_DIR") or None,
        cache_dir=env.get("BSM_CACHE_DIR") or None,
        kafka_bootstrap=env.get("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092",
        controller_port=int(env.get("KAFKA_CONTROLLER_PORT") or 9093),
        mongodb_uri=env.get("MONGODB_URI") or "mongodb://127.0.0.1:27017/",
    )


FERRETDB_PATCHES = (
    # The unique _id index is on _ferretdb_sjson->"_id" but filters used ->'$._id': SQLite
    # matches an expression index only on the same expression, so every lookup, update and
    # delete by _id scanned the table (EXPLAIN QUERY PLAN: SCAN; 30 updates/s at 10,000
    # documents). ->'_id' is the same path (a bare label reads as $.label) and uses the index.
    ("internal/backends/sqlite/metadata/metadata.go",
     """IDColumn = DefaultColumn + "->'$._id'\"""", """IDColumn = DefaultColumn + "->'_id'\"""", 1),
    # Only a filter made of _id alone was pushed down, so a guarded write such as
    # {_id: x, version: 3} or {_id: x, status: "pending"} scanned the table. Any filter
    # with one top-level _id equality selects a subset of that one row, and every handler
    # (find, count, update, delete, findAndModify, distinct) applies the whole filter to
    # what the backend returns, so pushing down the _id part alone stays exact.
    ("internal/backends/sqlite/collection.go", "if params.Filter.Len() == 1 {", "if bsmOneIDKey(params.Filter) {", 2),
    ("internal/backends/sqlite/collection.go", "// check interfaces\n", """// bsmOneIDKey is true when the filter has exactly one top-level _id key (patch).
func bsmOneIDKey(filter *types.Document) bool {
	n := 0
	for _, k := range filter.Keys() {
		if k == "_id" {
			n++
		}
	}
	return n == 1
}

// check interfaces
""", 1),
)


def _patch_source(source: Path) -> None:
    """Apply ``FERRETDB_PATCHES`` (file, old text, new text, expected count) to the source."""
    for relative, old, new, count in FERRETDB_PATCHES:
        path = source / relative
        text = path.read_text()
        if text.count(old) != count:
            raise StackError(f"FerretDB {FERRETDB_VERSION}: {relative} holds {text.count(old)} of {old!r}, expected {count}; review the patch")
        path.write_text(text.replace(old, new))


def _socket_path(state_dir: Path) -> str:
    """FerretDB's socket in the state folder, or under /tmp when that path is too long."""
    path = state_dir / "ferretdb" / "ferretdb.sock"
    if len(str(path)) < 100:
        return str(path)
    return f"/tmp/bsm-ferretdb-{hashlib.sha256(str(path).encode()).hexdigest()[:12]}.sock"


def _mongo_ping(endpoint: Endpoint) -> bool:
    """Send ``{hello: 1}`` as an OP_MSG and check the reply says ok (no driver needed)."""
    body = _bson({"hello": 1, "$db": "admin"})
    message = b"\x00\x00\x00\x00" + b"\x00" + body
    header = (16 + len(message)).to_bytes(4, "little") + (1).to_bytes(4, "little") + b"\x00" * 4 + (2013).to_bytes(4, "little")
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=2) as sock:
            sock.sendall(header + message)
            reply = sock.recv(65536)
    except OSError:
        return False
    return b"ok\x00" in reply and b"\x01ok\x00\x00\x00\x00\x00\x00\x00\xf0?" in reply


def _bson(document: dict) -> bytes:
    """Just enough BSON for a command: int32 and string values."""
    out = b""
    for key, value in document.items():
        name = key.encode() + b"\x00"
        if isinstance(value, int):
            out += b"\x10" + name + value.to_bytes(4, "little", signed=True)
        else:
            text = str(value).encode() + b"\x00"
            out += b"\x02" + name + len(text).to_bytes(4, "little") + text
    return (len(out) + 5).to_bytes(4, "little") + out + b"\x00"


def _json_field(text: str, field: str) -> str:
    import json

    return json.loads(text)[field]


def _need(program: str, what: str) -> None:
    if shutil.which(program) is None:
        raise StackError(f"`{program}` was not found: install {what} first")


def _run(argv: list[str], env=None, cwd=None, capture: bool = False) -> str:
    result = subprocess.run(argv, env=env, cwd=cwd, text=True, capture_output=True)
    if result.returncode != 0:
        raise StackError(f"`{' '.join(argv[:4])} ...` failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout if capture else ""


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs; reaps it if it is our own exited child (a zombie would
    otherwise look alive to ``kill(pid, 0)``)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def main(argv: list[str]) -> int:
    commands = ("fetch", "start", "stop", "status", "reset", "env")
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: stack.py {'|'.join(commands)}", file=sys.stderr)
        return 2
    stack = stack_from_env(os.environ)
    try:
        result = getattr(stack, argv[0])()
        if result:
            print(result)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
