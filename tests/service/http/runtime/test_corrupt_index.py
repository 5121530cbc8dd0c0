"""A damaged index on disk is refused at reload with a clear message; the last good one serves."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from index.load import load_index
from index.storage.store import VERSIONS, publish
from service.engine import Engine
from service.http.app import create_app
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.indexes import EXTRA_QUESTION, consistency_problems, two_versions
from tests.support.server import LiveServer


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, different content
    path.write_bytes(bytes(data))


def garble(path: Path) -> None:
    path.write_text("{ not json", encoding="utf-8")


DAMAGE: list[tuple[str, str, Callable[[Path], None], tuple[str, ...]]] = [
    ("truncated", "dense.faiss", truncate, ("dense.faiss", "truncated or altered")),
    ("altered", "chunks.jsonl", flip_a_byte, ("chunks.jsonl", "checksum", "altered")),
    ("vectors", "sentence_vectors.npy", flip_a_byte, ("sentence_vectors.npy", "checksum")),
    ("missing", "documents.jsonl", Path.unlink, ("documents.jsonl", "missing")),
    ("manifest", "manifest.json", garble, ("not a valid manifest",)),
]


@pytest.mark.usefixtures("engine")  # its build warms the embedding cache
def test_damaged_versions_are_refused_while_the_last_good_index_serves(
    tmp_path, settings, embedder
):
    root = tmp_path / "index"
    a, b = two_versions(root, tmp_path, embedder)
    versions = {a.version: a, b.version: b}
    serving = replace(settings, index_dir=root, admin_key=ADMIN_KEY)
    engine = Engine(serving, embedder, load_index(root))
    with (
        LiveServer(create_app(serving, engine)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        for kind, name, damage, words in DAMAGE:
            copy = root / VERSIONS / f"{b.version}-{kind}"
            shutil.copytree(b.path, copy)
            damage(copy / name)
            publish(root, copy)
            response = http.post("/admin/reload", headers=AUTH)
            assert response.status_code == 409, (kind, response.text)
            error = response.json()["error"]
            assert f"still serving index {a.version}" in error, error
            for word in words:
                assert word in error, (kind, error)
            body = http.post("/ask", json={"question": EXTRA_QUESTION}).json()
            assert body["index_version"] == a.version and not consistency_problems(body, versions)

        # The serving version's own files damaged on disk: memory still holds the good copy.
        publish(root, a.path)
        truncate(a.path / "sentences.jsonl")
        assert http.post("/admin/reload", headers=AUTH).status_code == 409
        assert http.get("/ready").json()["index_version"] == a.version
        ask = http.post("/ask", json={"question": "How long should I give him space?"})
        assert ask.status_code == 200 and ask.json()["index_version"] == a.version

        # A good version is adopted as soon as `current` points at one again.
        publish(root, b.path)
        swapped = http.post("/admin/reload", headers=AUTH).json()
        assert swapped["reloaded"] and swapped["previous_version"] == a.version
        assert swapped["index_version"] == b.version
        body = http.post("/ask", json={"question": EXTRA_QUESTION}).json()
        assert body["index_version"] == b.version and not consistency_problems(body, versions)
        metrics = http.get("/metrics").text
        assert f'rag_index_reloads_total{{result="failed"}} {len(DAMAGE) + 1}.0' in metrics
        assert f'rag_index_info{{version="{b.version}"}} 1.0' in metrics
