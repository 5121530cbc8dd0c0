"""`rag serve --workers N`: every worker answers, serves the current version, hears every reload;
and inside a worker, /ask work is bounded so the probes never wait behind it."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from index.load import IndexData, load_index
from index.storage.store import VERSIONS, publish
from service.engine import Engine
from service.http.app import create_app
from service.http.runtime.lifecycle import Reloader
from service.indexing import build as build_corpus
from tests.support.auth import AUTH
from tests.support.indexes import EXTRA_QUESTION, build_version, corpus_with_extra_doc
from tests.support.net import free_port
from tests.support.paths import CORPUS
from tests.support.processes import parent_of, rss_mib
from tests.support.rag import RAG, rag_env
from tests.support.server import (
    LiveServer,
    ServeProcess,
    health_by_pid,
    wait_until_every_worker_serves,
)

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist


def build_served(root: Path, settings, embedder) -> IndexData:
    """What `rag index` does: a version of the bundled corpus (with its file hashes, so a
    starting server finds it current) published under `root`."""
    build_corpus(replace(settings, index_dir=root), embedder)
    return load_index(root)


def _damaged_copy(version: IndexData, root: Path) -> tuple[Path, bytes]:
    """A copy of a version built elsewhere, under `root`, with dense.faiss cut in half."""
    target = root / VERSIONS / version.path.name
    shutil.copytree(version.path, target)
    dense = target / "dense.faiss"
    good = dense.read_bytes()
    dense.write_bytes(good[: len(good) // 2])
    return target, good


def listening_sockets(pid: int, port: int) -> set[int]:
    """The inodes of the sockets process `pid` holds that listen on `port` (from /proc)."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                listening.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = str(fd.readlink()) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            held.add(int(target[8:-1]))
    return held & listening


@pytest.mark.timeout(400)
@pytest.mark.usefixtures("engine")  # its build warms the embedding cache
def test_every_worker_answers_and_serves_each_published_version(tmp_path, settings, embedder):
    root = tmp_path / "index"
    a = build_served(root, settings, embedder)
    elsewhere = build_version(tmp_path / "other-root", corpus_with_extra_doc(tmp_path), embedder)
    serving = replace(settings, index_dir=root)
    with ServeProcess(serving, tmp_path / "serve.log", workers=2) as server:
        first = health_by_pid(server.url, rounds=25)
        pids = set(first)
        assert len(pids) == 2, first
        assert all(parent_of(pid) == server.process.pid for pid in pids)
        assert {body["index_version"] for body in first.values()} == {a.version}
        print("\nresident memory per worker: " + ", ".join(f"{rss_mib(p):.0f} MiB" for p in pids))
        print(f"supervisor: {rss_mib(server.process.pid):.0f} MiB")
        # Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads the
        # connections; the supervisor keeps none (a dead worker's socket leaves the group)
        port = int(server.url.rsplit(":", 1)[1])
        first_socket, second_socket = (listening_sockets(pid, port) for pid in pids)
        assert len(first_socket) == len(second_socket) == 1 and first_socket != second_socket
        assert listening_sockets(server.process.pid, port) == set()

        # A damaged version is tried once by each worker and refused; both keep serving A.
        damaged, good = _damaged_copy(elsewhere, root)
        publish(root, damaged)
        deadline = time.monotonic() + 30
        while server.failed_reload_pids() != pids:
            assert time.monotonic() < deadline, server.log.read_text()[-3000:]
            time.sleep(0.1)
        assert {b["index_version"] for b in health_by_pid(server.url, 5).values()} == {a.version}

        # Repaired in place, `current` does not move: one /admin/reload reaches both workers.
        (damaged / "dense.faiss").write_bytes(good)
        reply = httpx.post(f"{server.url}/admin/reload", headers=AUTH, timeout=30)
        assert reply.status_code == 200 and reply.json()["reloaded"], reply.text
        wait_until_every_worker_serves(server.url, pids, elsewhere.version)

        # A build published while serving (what `rag index` does) reaches both as well.
        rebuilt = build_served(root, settings, embedder)
        wait_until_every_worker_serves(server.url, pids, rebuilt.version)
        answer = httpx.post(f"{server.url}/ask", json={"question": EXTRA_QUESTION}, timeout=30)
        assert answer.status_code == 200 and answer.json()["index_version"] == rebuilt.version
        assert set(health_by_pid(server.url, 5)) == pids  # no worker was restarted meanwhile


@pytest.mark.timeout(200)
@pytest.mark.usefixtures("engine")
def test_one_worker_serves_from_the_process_itself(tmp_path, settings, embedder):
    root = tmp_path / "index"
    build_served(root, settings, embedder)
    serving = replace(settings, index_dir=root)
    with ServeProcess(serving, tmp_path / "serve.log", workers=1) as server:
        assert set(health_by_pid(server.url, rounds=3)) == {server.process.pid}


class GatedEngine:
    """The real engine, but each ask waits for a gate; counts how many run at once."""

    def __init__(self, real: Engine) -> None:
        self.real, self.settings, self.embedder = real, real.settings, real.embedder
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.running = self.peak = 0

    @property
    def index(self):
        return self.real.index

    def ask(self, *args: object):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            self.gate.wait(60)
            return self.real.ask(*args)
        finally:
            with self.lock:
                self.running -= 1


def test_probes_answer_while_ask_work_is_queued_and_ask_work_is_bounded(engine, settings):
    gated = GatedEngine(engine)
    bounded = replace(settings, query_concurrency=2)
    statuses: list[int] = []

    def ask(url: str) -> None:
        reply = httpx.post(f"{url}/ask", json={"question": EXTRA_QUESTION}, timeout=90)
        statuses.append(reply.status_code)

    with LiveServer(create_app(bounded, gated)) as server:
        # more than the 40 threads Starlette lends sync endpoints: they would all be taken
        askers = [threading.Thread(target=ask, args=(server.url,)) for _ in range(48)]
        for thread in askers:
            thread.start()
        deadline = time.monotonic() + 30
        while gated.running < 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with httpx.Client(base_url=server.url, timeout=5) as http:  # 5 s: they must not queue
            probes = [http.get("/health"), http.get("/ready"), http.get("/metrics")]
        assert [p.status_code for p in probes] == [200, 200, 200]
        assert gated.running == 2 and not statuses  # every ask is still held or waiting
        gated.gate.set()
        for thread in askers:
            thread.join(timeout=120)
    assert statuses == [200] * 48
    assert gated.peak == 2  # never more than RAG_QUERY_CONCURRENCY at once in this worker


@pytest.mark.usefixtures("engine")
def test_a_reload_marker_makes_another_worker_retry_an_unmoved_current(
    tmp_path, settings, embedder
):
    root = tmp_path / "index"
    a = build_version(root, CORPUS, embedder)
    elsewhere = build_version(tmp_path / "other-root", corpus_with_extra_doc(tmp_path), embedder)
    serving = replace(settings, index_dir=root)
    workers = [(Engine(serving, embedder, load_index(root)), Reloader()) for _ in range(2)]
    for engine, reloader in workers:
        assert reloader.poll_once(engine) is None  # first look: already serving `current`
    damaged, good = _damaged_copy(elsewhere, root)
    publish(root, damaged)
    for engine, reloader in workers:
        assert reloader.poll_once(engine) is None  # tried, refused ...
        assert reloader.poll_once(engine) is None  # ... and not tried again
        assert engine.index.version == a.version
    (damaged / "dense.faiss").write_bytes(good)
    (first, first_reloader), (second, second_reloader) = workers
    assert first_reloader.reload_everywhere(first).changed
    assert first_reloader.poll_once(first) is None  # its own marker is not news to it
    outcome = second_reloader.poll_once(second)
    assert outcome is not None and outcome.index_version == elsewhere.version
    assert second.index.version == elsewhere.version


def test_workers_share_the_cores_for_onnx_runtime(settings):
    from service.config import default_workers
    from service.http.runtime.server import worker_settings

    two = worker_settings(replace(settings, workers=2, embed_threads=0))
    assert two.embed_threads == max(1, default_workers() // 2)
    assert worker_settings(replace(settings, workers=2, embed_threads=3)).embed_threads == 3
    assert worker_settings(replace(settings, workers=1, embed_threads=0)).embed_threads == 0


def test_several_workers_without_the_watch_are_refused(settings, tmp_path):
    env = rag_env(replace(settings, index_dir=tmp_path / "index"), RAG_RELOAD_INTERVAL="0")
    result = subprocess.run(
        [RAG, "serve", "--port", str(free_port()), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: RAG_RELOAD_INTERVAL=0 turns off the watch")


def test_a_port_another_server_listens_on_is_refused_even_with_so_reuseport(settings, tmp_path):
    """Each worker listens with SO_REUSEPORT; without the plain probe first, a second
    `rag serve` on a running one's port would join it and take half its connections."""
    import socket

    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    with holder:
        port = holder.getsockname()[1]
        env = rag_env(replace(settings, index_dir=tmp_path / "index"))
        result = subprocess.run(
            [RAG, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Address already in use" in result.stderr
