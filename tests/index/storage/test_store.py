import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.load import load_index
from index.storage.manifest import (
    FORMAT_VERSION,
    IndexCorrupt,
    IndexMismatch,
    IndexNotFound,
    Manifest,
    corpus_changes,
    incompatibilities,
)
from index.storage.store import VERSIONS, IndexBusy, build_lock, current_version
from ingest.chunk import ChunkingConfig
from service.indexing import ensure_index


@pytest.fixture()
def built(scratch_settings, embedder, corpus):
    build_index(corpus, embedder, ChunkingConfig(), scratch_settings.index_dir)
    return scratch_settings.index_dir


def test_round_trip(built, corpus, embedder):
    index = load_index(built)
    manifest = index.manifest
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.model["name"] == "all-MiniLM-L6-v2"
    assert manifest.model["dimension"] == 384 == index.dense.d
    assert manifest.chunking == {"chunk_size": 800, "chunk_overlap": 160}
    assert {d.source: d.sha256 for d in manifest.documents} == {d.source: d.sha256 for d in corpus}
    assert manifest.counts["chunks"] == len(index.chunks) == index.dense.ntotal
    assert set(manifest.files) >= {"chunks.jsonl", "dense.faiss", "documents.jsonl"}
    assert np.allclose(np.linalg.norm(index.sentence_vectors, axis=1), 1.0, atol=1e-4)
    for doc in index.documents.values():
        original = next(d for d in corpus if d.doc_id == doc.doc_id)
        assert doc.text == original.text


def test_nothing_built_yet(tmp_path):
    with pytest.raises(IndexNotFound, match="rag index"):
        load_index(tmp_path / "missing")


def _live_file(root: Path, name: str) -> Path:
    return current_version(root) / name


def test_truncated_file_is_detected(built):
    path = _live_file(built, "chunks.jsonl")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorrupt, match=r"chunks.jsonl has 100 bytes.*truncated"):
        load_index(built)


def test_altered_file_is_detected(built):
    path = _live_file(built, "dense.faiss")
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=r"dense\.faiss does not match its checksum"):
        load_index(built)


def test_missing_file_is_detected(built):
    _live_file(built, "sentences.jsonl").unlink()
    with pytest.raises(IndexCorrupt, match=r"sentences\.jsonl is missing"):
        load_index(built)


def test_mismatch_says_what_differs(built):
    manifest = load_index(built).manifest
    problems = incompatibilities(
        manifest,
        model={"name": "other-model", "fingerprint": "abc"},
        chunking={"chunk_size": 300, "chunk_overlap": 60},
    )
    assert any("all-MiniLM-L6-v2" in p and "other-model" in p and "384" in p for p in problems)
    assert any("chunk_size" in p and "300" in p for p in problems)
    old = replace(manifest, format_version=FORMAT_VERSION - 1)
    assert any(
        "index format" in p
        for p in incompatibilities(old, model=manifest.model, chunking=manifest.chunking)
    )


def test_refuses_to_serve_a_mismatched_index_without_auto_build(built, scratch_settings, embedder):
    strict = replace(scratch_settings, chunking=ChunkingConfig(300, 60), auto_build=False)
    with pytest.raises(IndexMismatch, match="chunk_size"):
        ensure_index(strict, embedder)


def test_failed_build_leaves_the_previous_index(built, corpus, embedder, monkeypatch):
    before = current_version(built)
    import index.build as build_module

    def explode(_vectors):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "build_dense", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index(corpus, embedder, ChunkingConfig(), built)
    assert current_version(built) == before
    assert load_index(built).version == before.name


def test_leftover_partial_build_is_cleaned(built, corpus, embedder):
    stale = built / VERSIONS / "19990101T000000000000-1.partial"
    stale.mkdir()
    (stale / "chunks.jsonl").write_text("half", encoding="utf-8")
    build_index(corpus, embedder, ChunkingConfig(), built)
    assert not stale.exists()


def test_one_build_at_a_time(built, corpus, embedder):
    with build_lock(built), pytest.raises(IndexBusy, match="another build"):
        build_index(corpus, embedder, ChunkingConfig(), built)


def test_old_versions_are_pruned(built, corpus, embedder):
    for _ in range(4):
        build_index(corpus, embedder, ChunkingConfig(), built)
    versions = sorted(p.name for p in (built / VERSIONS).iterdir())
    assert len(versions) == 3 and current_version(built).name == versions[-1]


def test_stale_index_is_rebuilt_when_the_corpus_changes(tmp_path, scratch_settings, embedder):
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(scratch_settings.corpus_dir, corpus_dir)
    settings = replace(scratch_settings, corpus_dir=corpus_dir)
    first = ensure_index(settings, embedder)
    assert ensure_index(settings, embedder).version == first.version  # unchanged: reused
    (corpus_dir / "extra.txt").write_text("Extra Notes\n\nSloths sleep a lot.\n", encoding="utf-8")
    second = ensure_index(settings, embedder)
    assert second.version != first.version and "extra.txt" in second.documents
    assert corpus_changes(
        first.manifest, {d.source: d.sha256 for d in second.documents.values()}
    ) == ["added extra.txt"]


def test_corrupt_index_is_rebuilt_at_start(built, scratch_settings, embedder):
    path = _live_file(built, "chunks.jsonl")
    path.write_bytes(b"")
    index = ensure_index(scratch_settings, embedder)
    assert index.chunks


def test_manifest_is_readable_json(built):
    raw = json.loads((current_version(built) / "manifest.json").read_text())
    assert Manifest.read(current_version(built)).build_id == raw["build_id"]
