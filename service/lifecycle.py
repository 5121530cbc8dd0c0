"""Swapping in a rebuilt index while serving: on request (POST /admin/reload) or by polling."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from index.manifest import IndexProblem
from index.store import current_version
from service.engine import Engine

log = logging.getLogger("rag.reload")


class ReloadFailed(Exception):
    """The index on disk could not be loaded; the engine still serves the previous one."""


@dataclass(frozen=True)
class ReloadOutcome:
    previous_version: str
    index_version: str

    @property
    def changed(self) -> bool:
        return self.previous_version != self.index_version


class Reloader:
    """One reload at a time; a failed load leaves the engine on its last good index."""

    def __init__(self, on_result: Callable[[str], None] = lambda _result: None) -> None:
        self._lock = threading.Lock()
        self._on_result = on_result
        self.last_error: str | None = None
        self._failed_target: Path | None = None

    def reload(self, engine: Engine) -> ReloadOutcome:
        """Load what `current` points at (verifying checksums) and swap to it if it is new."""
        with self._lock:
            previous = engine.index.version
            try:
                latest = engine.reload().version
            except (IndexProblem, OSError) as error:
                self.last_error = f"reload failed, still serving index {previous}: {error}"
                self._on_result("failed")
                log.error("%s", self.last_error)
                raise ReloadFailed(self.last_error) from error
            self.last_error = None
            outcome = ReloadOutcome(previous, latest)
            self._on_result("swapped" if outcome.changed else "unchanged")
            if outcome.changed:
                log.info("index swapped from %s to %s", previous, latest)
            return outcome

    def poll_once(self, engine: Engine) -> ReloadOutcome | None:
        """Reload when `current` points somewhere new; a target that failed is not retried."""
        try:
            target = current_version(engine.settings.index_dir)
        except IndexProblem:
            return None
        if target == engine.index.path or target == self._failed_target:
            return None
        try:
            return self.reload(engine)
        except ReloadFailed:
            self._failed_target = target
            return None

    async def poll(self, engine_of: Callable[[], Engine | None], interval: float) -> None:
        """Check `current` every `interval` seconds until cancelled (the lifespan's end)."""
        while True:
            await asyncio.sleep(interval)
            engine = engine_of()
            if engine is not None:
                try:
                    await anyio.to_thread.run_sync(self.poll_once, engine)
                except Exception:  # a poller that dies silently would be worse than a log line
                    log.exception("index poll failed")
