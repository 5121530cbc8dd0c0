"""`rag index` publishes nothing for an unchanged corpus; `rag gc` applies retention."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest

from index.storage.store import VERSIONS
from ingest.embed.cache import CACHE_FILE
from tests.support.rag import run_rag


@pytest.mark.timeout(400)
@pytest.mark.usefixtures("engine")  # its build warms the shared embedding cache
# gc visits every index root the copied cache has registered (under xdist, the other worker's
# too), taking each one's build lock for a moment: no other test may be building meanwhile
@pytest.mark.alone
def test_index_then_no_change_then_gc(tmp_path, settings):
    # A copy of the session's warm cache (and its ONNX export), so gc prunes only the copy.
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    if (settings.cache_dir / "onnx").is_dir():
        (cache_dir / "onnx").symlink_to(settings.cache_dir / "onnx")
    with (
        closing(sqlite3.connect(settings.cache_dir / CACHE_FILE)) as warm,
        closing(sqlite3.connect(cache_dir / CACHE_FILE)) as copy,
    ):
        warm.backup(copy)
    scratch = replace(settings, index_dir=tmp_path / "index", cache_dir=cache_dir)
    versions = scratch.index_dir / VERSIONS

    first = run_rag(scratch, "index")
    assert first.returncode == 0, first.stderr
    assert "index written to" in first.stdout and "there is no index yet" in first.stderr

    again = run_rag(scratch, "index")
    assert again.returncode == 0, again.stderr
    assert "the index is up to date" in again.stdout and "nothing published" in again.stdout
    assert "nothing changed since index version" in again.stderr
    assert len(list(versions.iterdir())) == 1

    for _ in range(2):
        assert run_rag(scratch, "index", "--full").returncode == 0
    (versions / "not-a-version").mkdir()
    gc = run_rag(scratch, "gc", "--keep", "1")
    print(gc.stdout)
    assert gc.returncode == 0, gc.stderr
    assert "kept 1 versions, newest first:" in gc.stdout
    assert "deleted 2 versions: " in gc.stdout
    assert "ignored versions/not-a-version (not an intact version: it has no manifest" in gc.stdout
    assert "embedding cache: deleted" in gc.stdout
    assert {p.name for p in versions.iterdir()} >= {"not-a-version"}
    assert len(list(versions.iterdir())) == 2

    refused = run_rag(scratch, "gc", "--keep", "0")
    assert refused.returncode == 2 and "--keep" in refused.stderr
