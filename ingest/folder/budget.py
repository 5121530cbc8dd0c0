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
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from ingest.readers.base import Extracted, SourceFile, UnreadableFile

POLL_SECONDS = 0.1  # how often a wait looks whether the caller gave up
Outcome = Extracted | UnreadableFile


@dataclass(frozen=True)
class ReadingBudget:
    """What reading one file may cost (RAG_READ_* settings, service/config.py). Time grows
    with the file: `cpu_seconds` plus `seconds_per_mb` for each megabyte of it, and twice
    that of wall time, so a large manual is read while a small file that takes minutes is not."""

    cpu_seconds: float = 30.0
    seconds_per_mb: float = 60.0
    memory_mb: int = 2048  # the worker's address space
    max_chars: int = 20_000_000  # the citable text a file may yield

    def __post_init__(self) -> None:
        for name in ("cpu_seconds", "memory_mb", "max_chars"):
            if not getattr(self, name) > 0:
                raise ValueError(f"reading budget: {name} must be positive")
        if self.seconds_per_mb < 0:
            raise ValueError("reading budget: seconds_per_mb must not be negative")

    def cpu_for(self, size: int) -> float:
        """The CPU seconds a file of `size` bytes may take."""
        return self.cpu_seconds + self.seconds_per_mb * size / 1_000_000

    def wall_for(self, size: int) -> float:
        """The wall-clock seconds it may take (twice its CPU time: the machine may be busy)."""
        return 2 * self.cpu_for(size)


class OverBudget(UnreadableFile):
    """Reading the file went past a limit of the budget; the message names it."""


class Cancelled(Exception):
    """The caller gave up (a client disconnected) before the file was read."""


def _cpu_message(budget: ReadingBudget, size: int) -> str:
    return (
        f"reading took more than its CPU-time budget of {budget.cpu_for(size):.0f} s "
        f"(RAG_READ_CPU_SECONDS {budget.cpu_seconds:g} + RAG_READ_SECONDS_PER_MB "
        f"{budget.seconds_per_mb:g} per MB of the file)"
    )


def _read_within(file: SourceFile, budget: ReadingBudget) -> Outcome:
    from ingest.corpus import extract_file  # the readers, and nothing else

    try:
        extracted = extract_file(file)
    except UnreadableFile as error:
        return error
    except MemoryError:
        return OverBudget(
            f"reading took more than the memory budget of {budget.memory_mb} MB "
            "(RAG_READ_MEMORY_MB)"
        )
    except RecursionError:
        return UnreadableFile("the file is nested too deeply to read")
    except Exception as error:  # a reader's bug on a user's file: skip it, say why
        return UnreadableFile(f"cannot be read ({type(error).__name__}: {error})")
    if len(extracted.text) > budget.max_chars:
        return OverBudget(
            f"the file yields {len(extracted.text)} characters of text, over the limit of "
            f"{budget.max_chars} (RAG_READ_MAX_CHARS)"
        )
    return extracted


def _work(connection: Connection, budget: ReadingBudget) -> None:
    """A worker: read files until the pipe closes, each within the CPU and memory limits."""
    limit = int(budget.memory_mb) * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    size = [0]

    def over_cpu(_signum: int, _frame: object) -> None:
        raise OverBudget(_cpu_message(budget, size[0]))

    signal.signal(signal.SIGXCPU, over_cpu)
    while True:
        try:
            file: SourceFile = connection.recv()
        except (EOFError, OSError):
            return
        size[0] = len(file.data)
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(used.ru_utime + used.ru_stime + budget.cpu_for(size[0])) + 1
        # only the soft limit (SIGXCPU, then again every second): a hard limit could not be
        # raised again for the next file; a reader deaf to the signal meets the wall-time limit
        with contextlib.suppress(ValueError, OSError):
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        try:
            outcome = _read_within(file, budget)
        except OverBudget as error:  # SIGXCPU arrived outside the reader's own handlers
            outcome = error
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


@dataclass
class _Busy:
    worker: _Worker
    file: SourceFile
    started: float


class BudgetedReader:
    """Reads files in worker processes within a budget, up to `workers` at once per call.
    Safe to share between threads; `read_many` is an ingest.corpus.Extract."""

    def __init__(self, budget: ReadingBudget | None = None, workers: int = 1) -> None:
        self.budget = budget or ReadingBudget()
        self.workers = max(1, workers)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["ingest.corpus"])
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def __enter__(self) -> BudgetedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def _worker(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker(self._context, self.budget)

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def read(self, file: SourceFile, cancelled: Callable[[], bool] = lambda: False) -> Extracted:
        """One file's extraction, or UnreadableFile (OverBudget naming the limit); Cancelled
        when `cancelled()` turns true first (the work is stopped, not left running)."""
        [(_, outcome)] = list(self.read_many([file], cancelled))
        if isinstance(outcome, UnreadableFile):
            raise outcome
        return outcome

    def read_many(
        self, files: Iterable[SourceFile], cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[SourceFile, Outcome]]:
        """Each file with its outcome, as workers finish them (not in the order given)."""
        pending = iter(files)
        busy: dict[Connection, _Busy] = {}
        try:
            while True:
                while len(busy) < self.workers and (file := next(pending, None)) is not None:
                    worker = self._worker()
                    try:
                        worker.connection.send(file)
                    except (OSError, ValueError):  # a worker that died between files
                        worker.stop()
                        worker = _Worker(self._context, self.budget)
                        worker.connection.send(file)
                    busy[worker.connection] = _Busy(worker, file, time.monotonic())
                if not busy:
                    return
                yield from self._collect(busy, cancelled)
        finally:
            for job in busy.values():
                job.worker.stop()

    def _collect(
        self, busy: dict[Connection, _Busy], cancelled: Callable[[], bool]
    ) -> Iterator[tuple[SourceFile, Outcome]]:
        for connection in wait(list(busy), timeout=POLL_SECONDS):
            job = busy.pop(connection)  # type: ignore[arg-type]
            try:
                outcome: Outcome = connection.recv()  # type: ignore[union-attr]
            except (EOFError, OSError):  # killed by the kernel: the hard CPU or memory limit
                job.worker.stop()
                size = len(job.file.data)
                yield (
                    job.file,
                    OverBudget(
                        f"reading was stopped by its CPU-time or memory budget "
                        f"({self.budget.cpu_for(size):.0f} s, {self.budget.memory_mb} MB)"
                    ),
                )
                continue
            if isinstance(outcome, OverBudget):
                job.worker.stop()  # it may hold what it allocated: start a fresh one
            else:
                self._release(job.worker)
            yield job.file, outcome
        if cancelled():
            raise Cancelled("the reading was cancelled")
        now = time.monotonic()
        for connection, job in list(busy.items()):
            limit = self.budget.wall_for(len(job.file.data))
            if now - job.started > limit:
                del busy[connection]
                job.worker.stop()
                yield (
                    job.file,
                    OverBudget(
                        f"reading took more than its wall-time budget of {limit:.0f} s (twice "
                        "its CPU-time budget, RAG_READ_CPU_SECONDS and RAG_READ_SECONDS_PER_MB)"
                    ),
                )


def reading_workers() -> int:
    """One reading worker per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))
