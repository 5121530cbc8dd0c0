"""`rag serve --ray --replicas N`: the same app on Ray Serve, two replicas on a local Ray of two
CPUs, loopback only. Both replicas answer, and one reload switches both."""

from __future__ import annotations

import time
from dataclasses import replace

import httpx
import pytest

from index.load import load_version
from index.storage.store import publish
from service.indexing import build
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.indexes import EXTRA_QUESTION, corpus_with_extra_doc
from tests.support.net import free_port

pytest.importorskip("ray")
# tens of seconds (started first under xdist), and one local Ray at a time on two cores
pytestmark = [pytest.mark.slow, pytest.mark.serial("ray")]

DEADLINE_S = 120  # for replicas to start, and for a reload to reach both
MAX_PROBES = 60


@pytest.fixture()
def ray_serving(tmp_path, settings, embedder):
    from index.ray_build import RayCluster, start
    from service.http.runtime.ray_serve import deploy, shutdown

    root = tmp_path / "index"
    serving = replace(
        settings, index_dir=root, admin_key=ADMIN_KEY, port=free_port(), reload_interval=0.2
    )
    # built as `rag index` builds (corpus hashes recorded), so replicas starting on A find it
    # up to date; B holds one more article
    b = load_version(
        build(replace(serving, corpus_dir=corpus_with_extra_doc(tmp_path)), embedder).version
    )
    a = load_version(build(serving, embedder).version)
    start(RayCluster(cpus=2))
    try:
        deploy(serving, replicas=2)
        yield serving, a, b
    finally:
        shutdown()


def versions_by_pid(http: httpx.Client) -> dict[int, str]:
    """Which index version each replica that answered serves (bounded number of probes)."""
    seen: dict[int, str] = {}
    for _ in range(MAX_PROBES):
        health = http.get("/health").json()
        seen[health["worker_pid"]] = health["index_version"]
        if len(seen) == 2:
            break
    return seen


def test_two_replicas_answer_and_one_reload_switches_both(ray_serving):
    settings, a, b = ray_serving
    url = f"http://127.0.0.1:{settings.port}"
    with httpx.Client(base_url=url, timeout=30) as http:
        deadline = time.monotonic() + DEADLINE_S
        while http.get("/ready").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        seen = versions_by_pid(http)
        assert len(seen) == 2 and set(seen.values()) == {a.version}, seen
        body = http.post("/ask", json={"question": "How long should I give him space?"}).json()
        assert body["index_version"] == a.version and "3 to 7 days" in body["answer"]

        publish(root=settings.index_dir, version=b.path)
        reload = http.post("/admin/reload", headers=AUTH)
        assert reload.status_code == 200 and reload.json()["index_version"] == b.version
        while time.monotonic() < deadline:
            seen = versions_by_pid(http)
            if len(seen) == 2 and set(seen.values()) == {b.version}:
                break
            time.sleep(0.2)
        assert len(seen) == 2 and set(seen.values()) == {b.version}, seen
        answer = http.post("/ask", json={"question": EXTRA_QUESTION}).json()
        assert answer["index_version"] == b.version and "once a week" in answer["answer"]
