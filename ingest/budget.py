"""Reading files within a budget: every file is read in a worker process with limits on CPU
time, wall time, memory and the size of the text it yields.

A user's folder, or an upload, may hold a file that no parser should be let loose on: a PDF
whose one page holds a million text operators, a Word file that unzips to gigabytes, HTML
nested a hundred thousand deep. The readers themselves stay simple; the budget is enforced
around them. A worker that overruns is killed and replaced, and the file is refused with a
message naming the limit; the caller's process, its memory and its other work are untouched.

Workers are forked from a small server process that has only the readers imported, so one
starts in milliseconds and holds no model, index or thread of the caller's.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from ingest.readers.base import Extracted, UnreadableFile

POLL_SECONDS = 0.1  # how often a wait looks whether the caller gave up


@dataclass(frozen=True)
class ReadingBudget:
    """What reading one file may cost. Every limit is configurable (service/config.py)."""

    cpu_seconds: float = 60.0
    wall_seconds: float = 120.0
    memory_mb: int = 2048  # the worker's address space
    max_chars: int = 20_000_000  # the citable text a file may yield

    def __post_init__(self) -> None:
        for name in ("cpu_seconds", "wall_seconds", "memory_mb", "max_chars"):
            if not getattr(self, name) > 0:
                raise ValueError(f"reading budget: {name} must be positive")


class OverBudget(UnreadableFile):
    """Reading the file went past a limit of the budget; the message names it."""


class Cancelled(Exception):
    """The caller gave up (a client disconnected) before the file was read."""


@dataclass(frozen=True)
class Task:
    """One file to read: its corpus path, bytes, and what metadata says of its names."""

    source: str
    data: bytes
    known: Any  # ingest.article_fields.KnownNames


Outcome = Extracted | UnreadableFile


def _work(connection: Connection, budget: ReadingBudget) -> None:
    """A worker: read tasks until the pipe closes, each within the CPU and memory limits."""
    from ingest.corpus import extract_file  # the readers, and nothing else

    limit = int(budget.memory_mb) * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def over_cpu(_signum: int, _frame: object) -> None:
        raise OverBudget(f"reading took more than the CPU budget of {budget.cpu_seconds:g} s")

    signal.signal(signal.SIGXCPU, over_cpu)
    while True:
        try:
            task: Task = connection.recv()
        except (EOFError, OSError):
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = used.ru_utime + used.ru_stime
        soft = int(spent + budget.cpu_seconds) + 1
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))
        try:
            extracted = extract_file(task.source, task.data, task.known)
            if len(extracted.text) > budget.max_chars:
                raise OverBudget(
                    f"the file yields {len(extracted.text)} characters of text, over the limit "
                    f"of {budget.max_chars}"
                )
            outcome: Outcome = extracted
        except UnreadableFile as error:
            outcome = error
        except MemoryError:
            outcome = OverBudget(f"reading took more than the memory budget of {budget.memory_mb} MB")
        except RecursionError:
            outcome = UnreadableFile("the file is nested too deeply to read")
        except Exception as error:  # a reader's bug on a user's file: skip it, say why
            outcome = UnreadableFile(f"cannot be read ({type(error).__name__}: {error})")
        try:
            connection.send(outcome)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, context: Any, budget: ReadingBudget) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, budget), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class BudgetedReader:
    """Reads files in worker processes within a budget; `workers` read at once."""

    def __init__(self, budget: ReadingBudget = ReadingBudget(), workers: int = 1) -> None:  # noqa: B008
        self.budget = budget
        self.workers = max(1, workers)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["ingest.corpus"])
        self._idle: list[_Worker] = []

    def __enter__(self) -> BudgetedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._idle:
            worker.stop()
        self._idle.clear()

    def _worker(self) -> _Worker:
        return self._idle.pop() if self._idle else _Worker(self._context, self.budget)

    def read(
        self, task: Task, cancelled: Callable[[], bool] = lambda: False
    ) -> Extracted:
        """One file's extraction, or UnreadableFile (OverBudget naming the limit); Cancelled
        when `cancelled()` turns true first (the work is stopped, not left running)."""
        [(_, outcome)] = list(self.read_many([task], cancelled))
        if isinstance(outcome, UnreadableFile):
            raise outcome
        return outcome

    def read_many(
        self, tasks: Iterable[Task], cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[Task, Outcome]]:
        """Each task with its outcome, as workers finish them (not in task order)."""
        pending = iter(tasks)
        busy: dict[Connection, tuple[_Worker, Task, float]] = {}
        try:
            while True:
                while len(busy) < self.workers:
                    task = next(pending, None)
                    if task is None:
                        break
                    worker = self._worker()
                    try:
                        worker.connection.send(task)
                    except (OSError, ValueError):  # a worker that died between tasks
                        worker.stop()
                        worker = _Worker(self._context, self.budget)
                        worker.connection.send(task)
                    busy[worker.connection] = (worker, task, time.monotonic())
                if not busy:
                    return
                yield from self._collect(busy, cancelled)
        finally:
            for worker, _, _ in busy.values():
                worker.stop()

    def _collect(
        self,
        busy: dict[Connection, tuple[_Worker, Task, float]],
        cancelled: Callable[[], bool],
    ) -> Iterator[tuple[Task, Outcome]]:
        for connection in wait(list(busy), timeout=POLL_SECONDS):
            worker, task, _ = busy.pop(connection)  # type: ignore[arg-type]
            try:
                outcome: Outcome = connection.recv()  # type: ignore[union-attr]
            except (EOFError, OSError):  # killed by the kernel: the hard CPU or memory limit
                worker.stop()
                yield task, OverBudget(
                    "reading was stopped by the CPU or memory budget "
                    f"({self.budget.cpu_seconds:g} s, {self.budget.memory_mb} MB)"
                )
                continue
            if isinstance(outcome, OverBudget):
                worker.stop()  # it may hold what it allocated: start a fresh one
            else:
                self._idle.append(worker)
            yield task, outcome
        now = time.monotonic()
        if cancelled():
            for worker, _, _ in busy.values():
                worker.stop()
            busy.clear()
            raise Cancelled("the reading was cancelled")
        for connection, (worker, task, started) in list(busy.items()):
            if now - started > self.budget.wall_seconds:
                del busy[connection]
                worker.stop()
                yield task, OverBudget(
                    f"reading took more than the wall-time budget of "
                    f"{self.budget.wall_seconds:g} s"
                )


def default_workers() -> int:
    """One reading worker per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))
