"""Kill a server of the local stack the hard way and start it again (the fault suite's tools).

``sigkill(component)`` sends SIGKILL to the process group of a component this stack
started (Kafka, FerretDB or the write guard: ``stack.kafka``, ``stack.ferretdb``,
``stack.mongo``) and waits until it is gone and its port no longer answers;
``restart(component)`` starts it again from the same data, as ``Stack.start`` does.
"""
from __future__ import annotations

import os
import signal
import time

from deploy.local.stack import Component, StackError


def sigkill(component: Component, timeout: float = 10.0) -> int:
    """SIGKILL ``component``; returns the pid that was killed. Raises StackError when it
    was not started by this stack (a server found already running is not ours to kill)."""
    pid = component.pid()
    if pid is None:
        raise StackError(f"{component.name} was not started by this stack; not killing it")
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while component.pid() is not None or component.endpoint.answers(0.2):
        if time.monotonic() > deadline:
            raise StackError(f"{component.name} (pid {pid}) still there {timeout:.0f} s after SIGKILL")
        time.sleep(0.05)
    return pid


def restart(component: Component, timeout: float = 120.0) -> str:
    """Start ``component`` again on its own data; returns what ``start`` said."""
    return component.start(timeout)
