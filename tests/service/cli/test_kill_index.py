"""`rag index` killed with SIGKILL at any moment never costs the previous index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from index.load import load_index
from index.storage.manifest import Manifest
from index.storage.store import PARTIAL_SUFFIX, VERSIONS, verify_files
from service.config import Settings
from tests.support.indexes import build_version
from tests.support.paths import CORPUS
from tests.support.rag import RAG, rag_env

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

# `rag index` with slow fsyncs and a slow publish, so a kill can land mid-write and mid-publish.
SLOW_INDEXER = """
import sys, time
import index.storage.store as store
fsync, publish = store._fsync_file, store.publish
store._fsync_file = lambda path: (time.sleep(0.25), fsync(path))
store.publish = lambda root, version: (time.sleep(1.5), publish(root, version))
from service.cli.app import main
sys.argv = ["rag", "index", "--full"]
main()
"""


class Indexer:
    """A `rag index` child process on the settings' folders, whose stderr lines are watched
    for a trigger."""

    def __init__(self, settings: Settings, *, slow: bool = False) -> None:
        env = rag_env(settings)
        # --full: the corpus is unchanged, and an incremental build would embed nothing
        command = [sys.executable, "-c", SLOW_INDEXER] if slow else [RAG, "index", "--full"]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.counted = threading.Event()  # "N documents, M chunks, S sentences": model loads next
        self.embedding = threading.Event()  # the embedding progress bar: vectors being computed
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        assert self.process.stderr is not None
        seen = b""
        while chunk := os.read(self.process.stderr.fileno(), 4096):  # tqdm writes no newlines
            seen = seen[-200:] + chunk
            if b" chunks, " in seen:
                self.counted.set()
            if b"embedding:" in seen.lower():  # the build's bar over its embedding groups
                self.embedding.set()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL


def _wait(condition: Callable[[], bool], process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the indexer finished before the kill point"
        assert time.monotonic() < deadline, "the kill point never came"
        time.sleep(0.01)


def _new_dirs(root: Path, before: set[str], partial: bool) -> list[Path]:
    return [
        p
        for p in (root / VERSIONS).iterdir()
        if p.name not in before and p.name.endswith(PARTIAL_SUFFIX) == partial
    ]


# (name, fresh embedding cache, slowed indexer, when to kill)
SCENARIOS = [
    ("at-start", False, False, "0.5s"),
    ("loading-model", True, False, "counted"),
    ("mid-embedding", True, False, "embedding"),
    ("mid-write", False, True, "partial"),
    ("mid-publish", False, True, "final"),
]


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("engine")  # its build warms the shared embedding cache
@pytest.mark.parametrize(
    ("name", "fresh_cache", "slow", "when"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_sigkill_during_indexing_keeps_the_previous_index(
    tmp_path, settings, embedder, name, fresh_cache, slow, when
):
    root = tmp_path / "index"
    previous = build_version(root, CORPUS, embedder)
    before = {p.name for p in (root / VERSIONS).iterdir()}
    cache = tmp_path / "fresh-cache" if fresh_cache else settings.cache_dir
    indexer = Indexer(replace(settings, index_dir=root, cache_dir=cache), slow=slow)
    if when.endswith("s"):
        time.sleep(float(when[:-1]))
    elif when == "counted":
        _wait(indexer.counted.is_set, indexer.process)
    elif when == "embedding":
        _wait(indexer.embedding.is_set, indexer.process)
        time.sleep(0.3)  # inside the ~190 uncached texts, long before the write
    else:
        _wait(lambda: bool(_new_dirs(root, before, partial=when == "partial")), indexer.process)
    assert indexer.process.poll() is None, f"{name}: the indexer ended before it was killed"
    indexer.kill()

    survivor = load_index(root)  # verifies every checksum
    assert survivor.version == previous.version
    for version in (root / VERSIONS).iterdir():  # any complete-looking version is complete
        if not version.name.endswith(PARTIAL_SUFFIX):
            verify_files(version, Manifest.read(version))

    rebuilt = build_version(root, CORPUS, embedder)  # the next build just works
    assert rebuilt.version != previous.version
    assert not list((root / VERSIONS).glob(f"*{PARTIAL_SUFFIX}"))
