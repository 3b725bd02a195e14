"""Messages a channel accepted whose outcome the database does not hold yet, on local disk.

The dispatcher records outcomes in batches, a few milliseconds after each send (longer
while the database is slow or away). A dispatcher killed in between leaves the
notification pending, and whoever claims it once the lease runs out sends it a second
time. So every message a channel accepts is first appended to this journal (one line of
MongoDB Extended JSON, written straight to the file with ``os.write``), and forgotten
once its outcome is recorded. Before a dispatcher claims anything it records the
outcomes that the journal on this machine holds for dispatchers that died, and what its
own slot holds from before (``Dispatcher.recover``): a process rebuilds its dispatcher
with the same slot after the database stayed away.

A journal is a directory of slots, ``sent-<n>.journal``; each running dispatcher holds
one under an exclusive ``flock`` (released by the kernel when the process dies, however
it dies), so dispatchers on one machine share a directory without sharing a file.

What remains: a kill between the channel's acceptance and the line reaching the file (the
time of one ``write`` call); a machine lost with its journal (its claims are taken over
after the lease and sent again); and a power cut losing lines the kernel had not yet
written to the disk (lines are written, not fsynced: a killed process loses nothing).
"""
from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any, Callable

from bson import json_util
from bson.json_util import JSONOptions, JSONMode

__all__ = ["SentJournal", "default_directory"]
_JSON = JSONOptions(json_mode=JSONMode.CANONICAL, tz_aware=True)
COMPACT_AFTER = 512
"""Lines forgotten since the file was last rewritten before it is rewritten with only the
lines still held (a busy dispatcher's file is never empty long enough to be truncated)."""


def default_directory(service: str) -> Path:
    """Where the journal lives when ``BSM_SENT_JOURNAL_DIR`` is not set: under the
    system's temporary directory (an ``emptyDir`` in Kubernetes, which outlives a
    container's restarts in its pod)."""
    return Path(tempfile.gettempdir(), f"bsm-{service}-sent-journal")


@dataclass
class _Slot:
    path: Path
    fd: int
    held: dict[str, str] = field(default_factory=dict)  # notification id -> its line


class SentJournal:
    """One dispatcher's slot in a journal directory.

    ``add(id, entry)`` before the outcome is queued; ``forget(ids)`` once the outcomes are
    recorded; ``held()`` gives back what ``add`` was given (dicts of JSON and BSON types:
    datetimes come back aware, in UTC). Thread-safe. Raises ``OSError`` when the directory
    cannot be written."""

    def __init__(self, slot: _Slot):
        self._slot, self._lock, self._forgotten = slot, threading.Lock(), 0

    @classmethod
    def open(cls, directory: Path) -> "SentJournal":
        """Hold the first slot of ``directory`` no live process holds (created as needed),
        with what it already holds (lines left by a dispatcher that died holding it)."""
        directory.mkdir(parents=True, exist_ok=True)
        for number in count():
            slot = _lock(directory / f"sent-{number}.journal")
            if slot is not None:
                return cls(slot)
        raise AssertionError("unreachable")

    @property
    def path(self) -> Path:
        return self._slot.path

    def add(self, notification_id: str, entry: dict[str, Any]) -> None:
        line = json_util.dumps({"id": notification_id, "entry": entry}, json_options=_JSON) + "\n"
        with self._lock:
            _write_all(self._slot.fd, line.encode())
            self._slot.held[notification_id] = line

    def held(self) -> dict[str, dict[str, Any]]:
        """Every entry the slot holds, by notification id."""
        with self._lock:
            lines = dict(self._slot.held)
        return {i: _parse(line)["entry"] for i, line in lines.items()}

    def forget(self, notification_ids: list[str]) -> None:
        """Drop these ids (ids the slot never held are fine): the file is emptied when
        nothing is held any more, rewritten with what is when ``COMPACT_AFTER`` ids were
        forgotten since, and otherwise told with one line naming them."""
        with self._lock:
            gone = [i for i in notification_ids if self._slot.held.pop(i, None) is not None]
            if not gone:
                return
            self._forgotten += len(gone)
            if not self._slot.held:
                os.ftruncate(self._slot.fd, 0)
                self._forgotten = 0
            elif self._forgotten >= COMPACT_AFTER:
                self._rewrite()
            else:
                _write_all(self._slot.fd, (json_util.dumps({"forget": gone}) + "\n").encode())

    def recover_others(self, record: Callable[[dict[str, dict[str, Any]]], None]) -> int:
        """Hand ``record`` the entries of every other slot of the directory no live
        process holds (dispatchers that died), one slot at a time, and empty each once
        ``record`` returns; how many entries. What ``record`` raises is raised, and that
        slot keeps its lines."""
        handed = 0
        for path in sorted(self._slot.path.parent.glob("sent-*.journal")):
            if path == self._slot.path:
                continue
            slot = _lock(path)
            if slot is None:
                continue
            try:
                if slot.held:
                    record({i: _parse(line)["entry"] for i, line in slot.held.items()})
                    handed += len(slot.held)
                    os.ftruncate(slot.fd, 0)
            finally:
                os.close(slot.fd)
        return handed

    def close(self) -> None:
        """Let go of the slot, keeping its lines (as a killed process would)."""
        os.close(self._slot.fd)

    def _rewrite(self) -> None:
        """Replace the file by one holding only the lines still held; a kill part way
        leaves the old file (a superset) or the new one."""
        path = self._slot.path
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rewrite-")
        try:
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _write_all(fd, "".join(self._slot.held.values()).encode())
            os.replace(temporary, path)
        except BaseException:
            os.close(fd)
            os.unlink(temporary)
            raise
        os.close(self._slot.fd)
        self._slot.fd = fd
        self._forgotten = 0


def _lock(path: Path) -> _Slot | None:
    """The slot at ``path`` locked by this process with the lines it holds, or ``None``
    when a live process holds it. A line that cannot be read (cut short) is ignored."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if os.stat(path).st_ino != os.fstat(fd).st_ino:  # rewritten by its holder between our open and lock
        os.close(fd)
        return _lock(path)
    with open(path, encoding="utf-8", errors="replace") as existing:
        held = {}
        for line in existing:
            if not line.endswith("\n"):
                continue
            try:
                parsed = _parse(line)
            except ValueError:
                continue
            for forgotten in parsed.get("forget", ()):
                held.pop(forgotten, None)
            if "id" in parsed:
                held[parsed["id"]] = line
    return _Slot(path, fd, held)


def _parse(line: str) -> dict[str, Any]:
    return json_util.loads(line, json_options=_JSON)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
