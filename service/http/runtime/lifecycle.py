"""Opening the engine at start-up, and swapping in a rebuilt index while serving, in every
worker process at once.

Each worker holds its own engine, so a publish or an /admin/reload has to reach all of them. They
share only the index root, so that is where the signal lives: every worker watches where
`current` points and a reload marker beside it (two stat calls a tick, on the event loop), and
reloads when either changes. A publish moves `current`; an /admin/reload reloads the worker that
got the call and then replaces the marker, so the others reload too, even if `current` did not
move (say, after a damaged version was repaired in place).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from index.storage.manifest import IndexProblem
from index.storage.store import CURRENT, IndexBusy, build_lock
from ingest.log import Log
from service.answering.ranker import FittedModelError
from service.config import Settings
from service.engine import Engine

log = logging.getLogger("rag.reload")
RELOAD_MARKER = ".reload-requested"  # in the index root; replaced by each /admin/reload


class ReloadFailed(Exception):
    """The index on disk could not be loaded; the engine still serves the previous one."""


@dataclass(frozen=True)
class ReloadOutcome:
    previous_version: str
    index_version: str

    @property
    def changed(self) -> bool:
        return self.previous_version != self.index_version


@dataclass(frozen=True)
class DiskSignal:
    """What the watchers compare: where `current` points and which reload marker is there."""

    target: str | None  # the symlink's text, e.g. versions/<build_id>
    marker: tuple[int, int] | None  # (inode, mtime in ns) of the reload marker


def read_signal(root: Path) -> DiskSignal:
    """Where `current` points and the marker's identity, without following or reading files."""
    try:
        target: str | None = str((root / CURRENT).readlink())
    except OSError:
        target = None
    try:
        stat = (root / RELOAD_MARKER).stat()
        marker: tuple[int, int] | None = (stat.st_ino, stat.st_mtime_ns)
    except OSError:
        marker = None
    return DiskSignal(target, marker)


def leave_reload_marker(root: Path) -> None:
    """Replace the marker atomically (a new inode), so every watcher sees a change."""
    temporary = root / f"{RELOAD_MARKER}.{os.getpid()}"
    temporary.write_text(f"{time.time_ns()} {os.getpid()}\n", encoding="utf-8")
    temporary.replace(root / RELOAD_MARKER)


def open_engine(settings: Settings, log: Log) -> Engine:
    """Engine.open; when another worker is building the index, wait for it and load its build.

    Every worker opens its own engine, so on a first start (or a changed corpus) they all find
    the index missing or stale; the build lock lets one build, and the others wait here.
    """
    while True:
        try:
            return Engine.open(settings, log=log)
        except IndexBusy:
            log(f"another process is building the index (pid {os.getpid()} waits for it)")
            _wait_for_build(settings.index_dir)


def _wait_for_build(root: Path, pause: float = 0.5) -> None:
    """Return once no build holds the index lock (taking it for an instant to know)."""
    while True:
        try:
            with build_lock(root):
                return
        except IndexBusy:
            time.sleep(pause)


class Reloader:
    """One reload at a time per worker; a failed load leaves the engine on its last good index."""

    def __init__(self, on_result: Callable[[str], None] = lambda _result: None) -> None:
        self._lock = threading.Lock()
        self._on_result = on_result
        self.last_error: str | None = None
        self._seen: DiskSignal | None = None  # the signal this worker last acted on

    def reload(self, engine: Engine) -> ReloadOutcome:
        """Load what `current` points at (verifying checksums) and swap to it if it is new."""
        with self._lock:
            previous = engine.index.version
            try:
                latest = engine.reload().version
            except (IndexProblem, OSError) as error:
                self.last_error = f"reload failed, still serving index {previous}: {error}"
                self._on_result("failed")
                log.error("%s (pid %d)", self.last_error, os.getpid())
                raise ReloadFailed(self.last_error) from error
            self.last_error = None
            outcome = ReloadOutcome(previous, latest)
            self._on_result("swapped" if outcome.changed else "unchanged")
            if outcome.changed:
                log.info("index swapped from %s to %s (pid %d)", previous, latest, os.getpid())
            return outcome

    def reload_everywhere(self, engine: Engine) -> ReloadOutcome:
        """POST /admin/reload: reload this worker, then leave the marker for the others."""
        root = engine.settings.index_dir
        try:
            return self.reload(engine)
        finally:
            try:
                leave_reload_marker(root)
            except OSError as error:  # a read-only index root: only this worker reloaded
                log.warning("could not leave the reload marker for other workers: %s", error)
            self._seen = read_signal(root)  # this worker has acted on its own marker

    def due(self, engine: Engine) -> bool:
        """Whether the disk changed since this worker last looked in a way that asks to reload.

        A new marker always does; a moved `current` does unless this worker already serves it,
        and so does a `current` that is no longer a link (the reload reports the damage). A
        signal is acted on once, so a damaged version is tried, and logged, once, not every tick.
        """
        signal = read_signal(engine.settings.index_dir)
        previous, self._seen = self._seen, signal
        if signal == previous:
            return False
        if signal.target is None or (previous is not None and signal.marker != previous.marker):
            return True
        return Path(signal.target).name != engine.index.path.name

    def reload_quietly(self, engine: Engine) -> ReloadOutcome | None:
        """A reload whose failure is logged and counted, not raised (for the watcher)."""
        try:
            return self.reload(engine)
        except ReloadFailed:
            return None

    def poll_once(self, engine: Engine) -> ReloadOutcome | None:
        """Reload if the disk asks for it (see `due`)."""
        return self.reload_quietly(engine) if self.due(engine) else None

    async def poll(
        self,
        engine_of: Callable[[], Engine | None],
        interval: float,
        starter: Starter | None = None,
    ) -> None:
        """Watch every `interval` seconds until cancelled (the lifespan's end); while no engine
        serves, let `starter` try again whenever the index root changes.

        The check is two stat calls on the event loop; only a reload or a start goes to a
        thread (abandoned at shutdown: a start may be waiting for someone else's build).
        """
        while True:
            await asyncio.sleep(interval)
            engine = engine_of()
            try:
                if engine is None:
                    if starter is not None and starter.due():
                        await anyio.to_thread.run_sync(starter.start, abandon_on_cancel=True)
                elif self.due(engine):
                    await anyio.to_thread.run_sync(self.reload_quietly, engine)
            except Exception:  # a watcher that dies silently would be worse than a log line
                log.exception("index watch failed")


class Starter:
    """Opens the engine at start-up and, while none serves, again each time the index root
    changes (`current` published or moved, a reload marker left), so a server that started
    before its index existed, or while another process was building it, serves as soon as a
    version is published, without a restart. One log line per attempt; attempts happen only on
    a change, so a lasting problem is reported once, not every tick."""

    def __init__(
        self, settings: Settings, adopt: Callable[[Engine | None, Exception | None], None]
    ) -> None:
        self.settings = settings
        self._adopt = adopt  # given the engine, or None and why there is none
        self._seen: DiskSignal | None = None
        self._attempts = 0

    def start(self) -> None:
        """One attempt to open the engine (building the index if settings say so)."""
        self._seen = read_signal(self.settings.index_dir)
        self._attempts += 1
        try:
            engine = open_engine(self.settings, log.info)
        except FittedModelError:
            raise  # never serve without the fitted models: the app refuses to start
        except Exception as error:  # the service still answers /health, and 503s
            if self._attempts == 1:
                log.exception("could not load the index")
            else:
                log.error("still no index to serve (pid %d): %s", os.getpid(), error)
            self._adopt(None, error)
            return
        if self._attempts > 1:
            log.info("serving index %s (pid %d)", engine.index.version, os.getpid())
        self._adopt(engine, None)

    def due(self) -> bool:
        """Whether the index root changed since the last attempt, with a `current` to open."""
        signal = read_signal(self.settings.index_dir)
        changed, self._seen = signal != self._seen, signal
        return changed and signal.target is not None
