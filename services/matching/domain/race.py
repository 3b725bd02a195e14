"""Searches that run at once on one event and share what they find: the complete schedule
(every pair placed) with the fewest breaks met by any of them, and a flag that tells all of
them to stop once nothing better can be found.

CP-SAT solves in its own threads with Python's lock released, so a CP-SAT search in a
thread and the annealing (``annealing``, plain Python) in the caller use two cores at once.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from services.matching.domain.scheduling import Meeting

__all__ = ["Race"]


class Race:
    """The best complete schedule offered so far (``best``: unlocked meetings, None until
    one is offered; ``breaks``), the best lower bound on breaks proven (``bound``), ``stop``
    set once the bound is met, and the first error a searcher thread raised (``error``,
    re-raised by the caller)."""

    def __init__(self, floor: int = 0):
        self._lock = threading.Lock()
        self.best: list[Meeting] | None = None
        self.breaks: float = float("inf")
        self.bound = floor
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self._solvers: set = set()

    @contextmanager
    def running(self, solver) -> Iterator[None]:
        """While the block runs, ``solver`` (a ``CpSolver`` about to solve) is stopped when
        the race stops."""
        with self._lock:
            self._solvers.add(solver)
        try:
            yield
        finally:
            with self._lock:
                self._solvers.discard(solver)

    def halt(self) -> None:
        """Stop every search now (one of them failed)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        self.stop.set()
        for solver in self._solvers:
            solver.stop_search()

    def offer(self, meetings: list[Meeting], breaks: int) -> None:
        """Keep ``meetings`` (a complete schedule with ``breaks`` breaks) if it has fewer
        breaks than the best so far; stop every search when it meets the bound."""
        with self._lock:
            if breaks < self.breaks:
                self.best, self.breaks = meetings, breaks
            if self.breaks <= self.bound:
                self._stop()

    def prove(self, bound: int) -> None:
        """Raise the lower bound on breaks to ``bound`` (if higher)."""
        with self._lock:
            self.bound = max(self.bound, bound)
            if self.breaks <= self.bound:
                self._stop()
