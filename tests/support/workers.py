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
from collections.abc import Iterable, Iterator
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


@contextmanager
def taking_turns(folder: Path, *, alone: bool, serial: Iterable[str] = ()) -> Iterator[None]:
    """Hold the locks one test needs while it runs (setup, call and teardown).

    Every test holds the machine shared, an `alone` one exclusively; the gate in front of it
    keeps new tests from starting while an `alone` test waits, so it is never starved. Named
    locks come first and in order, so two workers never wait on each other."""
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as held:
        for name in sorted(set(serial)):
            held.enter_context(_locked(folder / f"serial-{name}.lock", fcntl.LOCK_EX))
        gate, machine = folder / "gate.lock", folder / "machine.lock"
        if alone:
            held.enter_context(_locked(gate, fcntl.LOCK_EX))
            held.enter_context(_locked(machine, fcntl.LOCK_EX))
        else:
            with _locked(gate, fcntl.LOCK_EX):
                held.enter_context(_locked(machine, fcntl.LOCK_SH))
        yield
