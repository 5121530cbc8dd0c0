"""Swapping indexes under load: every answer is complete and comes from exactly one index."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from dataclasses import replace

import httpx
import pytest

from index.load import load_index
from index.storage.store import publish
from service.engine import Engine
from service.http.app import create_app
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.indexes import EXTRA_DOC_ID, EXTRA_QUESTION, consistency_problems, two_versions
from tests.support.net import wait_until
from tests.support.server import LiveServer

QUESTIONS = (
    EXTRA_QUESTION,
    "How long should I give him space when he pulls away?",
    "What is the capital of France?",
    "Why do men pull away when a relationship deepens?",
)
ASKERS, ASKS_EACH, MAX_ASKS_EACH, MAX_SWAPS, MIN_SWAPS = 3, 16, 400, 200, 10


@pytest.mark.usefixtures("engine")  # its build warms the embedding cache
def test_answers_stay_consistent_while_the_index_is_swapped(tmp_path, settings, embedder):
    root = tmp_path / "index"
    a, b = two_versions(root, tmp_path, embedder)
    versions = {a.version: a, b.version: b}
    serving = replace(settings, index_dir=root, admin_key=ADMIN_KEY)
    engine = Engine(serving, embedder, load_index(root))
    results: list[tuple[int, dict | str]] = []
    swaps: list[dict] = []
    done = threading.Event()
    enough_swaps = threading.Event()  # askers keep asking until the swapper has swapped enough

    def ask(url: str, offset: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            for i in range(MAX_ASKS_EACH):
                if i >= ASKS_EACH and enough_swaps.is_set():
                    return
                response = http.post("/ask", json={"question": QUESTIONS[(i + offset) % 4]})
                ok = response.status_code == 200
                results.append((response.status_code, response.json() if ok else response.text))

    def swap(url: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            for i in range(MAX_SWAPS):
                if done.is_set():
                    return
                publish(root, (b if i % 2 == 0 else a).path)
                response = http.post("/admin/reload", headers=AUTH)
                ok = response.status_code == 200
                swaps.append(response.json() if ok else {"error": response.text})
                if sum(bool(s.get("reloaded")) for s in swaps) >= MIN_SWAPS:
                    enough_swaps.set()
                time.sleep(0.01)

    with LiveServer(create_app(serving, engine)) as server:
        askers = [threading.Thread(target=ask, args=(server.url, n)) for n in range(ASKERS)]
        swapper = threading.Thread(target=swap, args=(server.url,))
        swapper.start()
        for thread in askers:
            thread.start()
        for thread in askers:
            thread.join(timeout=120)
        done.set()
        swapper.join(timeout=60)

    assert len(results) >= ASKERS * ASKS_EACH
    assert [status for status, _ in results if status != 200] == []
    problems = [p for _, body in results for p in consistency_problems(body, versions)]
    assert problems == []
    assert all("error" not in s for s in swaps) and sum(s["reloaded"] for s in swaps) >= MIN_SWAPS
    seen = Counter(body["index_version"] for _, body in results)
    assert set(seen) == set(versions), seen  # both indexes really served
    for _, body in results:
        docs = {p["doc_id"] for p in body["passages"]}
        if body["question"] == EXTRA_QUESTION and body["index_version"] == b.version:
            assert EXTRA_DOC_ID in docs  # the new document is found as soon as B serves
        if body["index_version"] == a.version:
            assert EXTRA_DOC_ID not in docs


def _serves(http: httpx.Client, version: str) -> bool:
    """Whether the service answers from `version` within ten seconds."""
    return wait_until(lambda: http.get("/ready").json()["index_version"] == version, timeout=10)


@pytest.mark.usefixtures("engine")  # its build warms the embedding cache
def test_the_service_notices_a_new_index_when_polling(tmp_path, settings, embedder):
    root = tmp_path / "index"
    a, b = two_versions(root, tmp_path, embedder)
    polling = replace(settings, index_dir=root, reload_interval=0.1)
    engine = Engine(polling, embedder, load_index(root))
    with (
        LiveServer(create_app(polling, engine)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        publish(root, b.path)
        assert _serves(http, b.version)
        damaged = root / "versions" / "99999999T000000000000-damaged"
        shutil.copytree(b.path, damaged)
        dense = damaged / "dense.faiss"
        dense.write_bytes(dense.read_bytes()[:100])
        publish(root, damaged)
        time.sleep(0.6)  # several poll intervals: the damaged version is tried once, not adopted
        assert http.get("/ready").json()["index_version"] == b.version
        assert http.post("/ask", json={"question": EXTRA_QUESTION}).status_code == 200
        metrics = http.get("/metrics").text
        assert 'rag_index_reloads_total{result="failed"} 1.0' in metrics
        publish(root, a.path)
        assert _serves(http, a.version)
