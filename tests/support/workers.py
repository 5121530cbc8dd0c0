"""Running under pytest-xdist, where two worker processes share the machine's two cores.

The embedding cache: the workers share one (and the ONNX export in it), as `rag serve`'s
worker processes do, so a text one worker embedded (a benchmark's abstracts, an evaluation
corpus) is not embedded again by the other.

Threads: each worker computes on one thread (ONNX Runtime and OpenMP pools of one, which the
commands a worker starts inherit); pools of one thread per core in each worker would leave
two or three threads spinning for each core.

Turns: a test marked `alone` runs while no other worker runs a test (what it measures is
CPU or wall time, which a busy neighbour would eat into), and tests marked `serial(name)` with
the same name never overlap (two local Rays at once would want four cores). The workers
take turns through file locks in the run's temporary folder; without xdist nothing is locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

THREADS = {"OMP_NUM_THREADS": "1", "RAG_EMBED_THREADS": "1"}


def under_xdist() -> bool:
    """Whether this process is an xdist worker."""
    return "PYTEST_XDIST_WORKER" in os.environ


def share_the_cores() -> None:
    """In an xdist worker, one thread per pool unless the environment already says otherwise."""
    if under_xdist():
        for name, value in THREADS.items():
            os.environ.setdefault(name, value)


def embed_threads() -> int:
    """ONNX Runtime intra-op threads for embedders the tests make (0: one per core)."""
    return int(os.environ.get("RAG_EMBED_THREADS", "0"))


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this run shares (under xdist each worker's temporary root
    is a folder of it); without xdist, this session's own temporary root."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if under_xdist() else root


@contextmanager
def _locked(path: Path, mode: int) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


Needs = tuple[bool, frozenset[str]]  # (alone, serial names): what a test must hold alone


def needs_of(item: pytest.Item) -> Needs:
    """What a test must hold exclusively."""
    serial = frozenset(str(mark.args[0]) for mark in item.iter_markers("serial"))
    return item.get_closest_marker("alone") is not None, serial


class Turns:
    """The locks one worker takes for its tests, in a folder every worker of the run shares.

    Every test holds the machine shared, an `alone` one exclusively; the gate in front of it
    keeps new tests from starting while an `alone` test waits, so it is never starved. Named
    locks come first and in order, so two workers never wait on each other. What a test holds
    exclusively is kept for the next test when that one needs the same (the four `alone` tests
    of a module wait for the other worker once, not four times)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.gate, self.machine = folder / "gate.lock", folder / "machine.lock"
        self._kept = ExitStack()
        self._kept_for: Needs | None = None

    def _hold(self, needs: Needs) -> None:
        if self._kept_for == needs:
            return
        self.release()
        alone, serial = needs
        for name in sorted(serial):
            self._kept.enter_context(_locked(self.folder / f"serial-{name}.lock", fcntl.LOCK_EX))
        if alone:
            self._kept.enter_context(_locked(self.gate, fcntl.LOCK_EX))
            self._kept.enter_context(_locked(self.machine, fcntl.LOCK_EX))
        self._kept_for = needs

    def release(self) -> None:
        self._kept.close()
        self._kept, self._kept_for = ExitStack(), None

    @contextmanager
    def turn(self, needs: Needs, next_needs: Needs | None) -> Iterator[None]:
        """Hold what one test needs while it runs (its setup, call and teardown)."""
        self._hold(needs)
        try:
            with ExitStack() as this_test:
                if not needs[0]:
                    with _locked(self.gate, fcntl.LOCK_EX):  # behind any `alone` test waiting
                        this_test.enter_context(_locked(self.machine, fcntl.LOCK_SH))
                yield
        finally:
            if next_needs != needs or needs == (False, frozenset()):
                self.release()
