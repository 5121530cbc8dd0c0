"""The index lifecycle defects of issue 10, each through a real server: a server started while a
build runs serves once it publishes; a broken manifest or `current` on reload is a counted 409;
the watcher reports a damaged version once, in one line."""

from __future__ import annotations

import contextlib
import json
import logging
import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from index.load import load_index
from index.storage.store import CURRENT, VERSIONS, build_lock, publish
from service.engine import Engine
from service.http.app import create_app
from service.indexing import build as build_corpus
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.indexes import build_version
from tests.support.net import wait_until
from tests.support.observe import LogRecords, metric_value
from tests.support.server import LiveServer

FAILED = 'rag_index_reloads_total{result="failed"}'


def service_warnings() -> LogRecords:
    """The records of the service's loggers at WARNING and above."""
    return LogRecords("rag.reload", "rag.api", level=logging.WARNING)


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("engine")  # its build warms the embedding cache and the ONNX export
def test_a_server_started_while_a_build_runs_serves_once_it_publishes(tmp_path, settings, embedder):
    root = tmp_path / "index"
    waiting = replace(settings, index_dir=root, auto_build=False, reload_interval=0.05)
    lines = service_warnings()
    with contextlib.ExitStack() as stack:
        stack.enter_context(lines)
        building = contextlib.ExitStack()
        building.enter_context(build_lock(root))  # another process is building, no `current`
        server = stack.enter_context(LiveServer(create_app(waiting)))
        http = stack.enter_context(httpx.Client(base_url=server.url, timeout=30))
        assert http.get("/ready").status_code == 503
        time.sleep(0.5)  # ten watch intervals with nothing published
        assert http.get("/ready").status_code == 503
        assert http.get("/health").json()["index_loaded"] is False
        assert len(lines.records) == 1  # one report of why there is no index, not one a tick
        building.close()
        published = build_corpus(replace(settings, index_dir=root), embedder)
        assert wait_until(lambda: http.get("/ready").status_code == 200)
        assert http.get("/ready").json()["index_version"] == published.version_id
        ask = http.post("/ask", json={"question": "How long should I give him space?"})
        assert ask.status_code == 200 and ask.json()["index_version"] == published.version_id
    assert not [r for r in lines.records if "watch failed" in r.getMessage()]


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("engine")  # its build warms the embedding cache and the ONNX export
def test_a_server_started_while_another_builds_waits_and_serves_that_build(
    tmp_path, settings, embedder
):
    elsewhere = build_corpus(replace(settings, index_dir=tmp_path / "elsewhere"), embedder)
    root = tmp_path / "index"
    starting = replace(settings, index_dir=root, reload_interval=0.05)  # auto-build on
    server = LiveServer(create_app(starting))
    with contextlib.ExitStack() as stack:
        building = contextlib.ExitStack()
        building.enter_context(build_lock(root))  # another process is building the first index
        starter = threading.Thread(target=server.__enter__)
        starter.start()
        time.sleep(2)  # the server's start-up finds the build lock held and waits for it
        assert not server.server.started
        published = root / VERSIONS / elsewhere.version.name
        shutil.copytree(elsewhere.version, published)
        publish(root, published)  # the other build publishes, then lets go of the lock
        building.close()
        starter.join(timeout=60)
        stack.callback(server.__exit__)
        assert server.server.started
        ready = httpx.get(f"{server.url}/ready", timeout=30).json()
        assert ready["index_version"] == elsewhere.version_id  # its build, not a second one
        assert [p.name for p in (root / VERSIONS).iterdir()] == [elsewhere.version_id]


def _rewrite_manifest(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def damage(version: Path) -> None:
        manifest = version / "manifest.json"
        raw = json.loads(manifest.read_text())
        change(raw)
        manifest.write_text(json.dumps(raw))

    return damage


def _random_bytes(version: Path) -> None:
    (version / "manifest.json").write_bytes(random.Random(10).randbytes(2048))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "random bytes": (_random_bytes, "not a valid manifest"),
    "files as a list": (
        _rewrite_manifest(lambda raw: raw.update(files=list(raw["files"]))),
        "`files` must be an object",
    ),
    "model as a string": (
        _rewrite_manifest(lambda raw: raw.update(model="all-MiniLM-L6-v2")),
        "`model` must be an object",
    ),
}


def _current_as_a_directory(root: Path, good: Path) -> None:
    (root / CURRENT).unlink()
    shutil.copytree(good, root / CURRENT)


@pytest.mark.parametrize("kind", [*DAMAGE, "current as a directory"])
@pytest.mark.usefixtures("engine")  # its build warms the embedding cache
def test_a_broken_index_is_a_counted_409_and_reported_once(tmp_path, settings, embedder, kind):
    root = tmp_path / "index"
    good = build_version(root, settings.corpus_dir, embedder)
    watching = replace(settings, index_dir=root, admin_key=ADMIN_KEY, reload_interval=0.05)
    engine = Engine(watching, embedder, load_index(root))
    lines = service_warnings()
    with (
        lines,
        LiveServer(create_app(watching, engine)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        time.sleep(0.2)  # the watcher's first look: it serves `current`
        if kind in DAMAGE:
            damage, words = DAMAGE[kind]
            broken = root / VERSIONS / f"{good.version}-broken"
            shutil.copytree(good.path, broken)
            damage(broken)
            publish(root, broken)
        else:
            _current_as_a_directory(root, good.path)
            words = "current is a directory"
        assert wait_until(lambda: metric_value(http.get("/metrics").text, FAILED) == 1, timeout=10)
        time.sleep(0.5)  # ten more intervals: still one failed reload, one line, no traceback
        assert metric_value(http.get("/metrics").text, FAILED) == 1
        (reported,) = lines.records
        assert words in reported.getMessage() and reported.exc_info is None, reported.getMessage()

        response = http.post("/admin/reload", headers=AUTH)
        assert response.status_code == 409, response.text
        assert words in response.json()["error"]
        assert f"still serving index {good.version}" in response.json()["error"]
        time.sleep(0.3)  # its own marker is not news to the watcher
        assert metric_value(http.get("/metrics").text, FAILED) == 2
        assert len(lines.records) == 2
        ask = http.post("/ask", json={"question": "How long should I give him space?"})
        assert ask.status_code == 200 and ask.json()["index_version"] == good.version
