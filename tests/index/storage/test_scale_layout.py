"""The large-index layout: an approximate FAISS index, float16 vectors and memory-mapped files,
and incremental builds that still write exactly what a full build writes.

The size thresholds are lowered for these tests, so a small folder is built the way a
million passages are.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import index.ann as ann
import index.dense as dense
import index.storage.layout as layout
from index.load import load_index
from index.storage.store import current_version
from index.storage.tables import FileBytes, NpyRows
from ingest.embed import EmbeddingCache
from service.question.query import build_query
from service.retrieval.modes import Mode
from service.retrieval.retrieve import retrieve
from service.serving import ServingIndex
from tests.support.embedders import HashEmbedder
from tests.support.files import NEW_SOURCE, NEW_TEXT, write_mixed_folder
from tests.support.indexes import apply_folder, digests


@pytest.fixture()
def large(monkeypatch):
    """Every index counts as large: IVF (two lists), float16 vectors, files mapped."""
    monkeypatch.setattr(dense, "EXACT_LIMIT", 1)
    monkeypatch.setattr(layout, "LARGE_INDEX", 1)
    monkeypatch.setattr(ann, "lists_for", lambda rows: 2)


@pytest.mark.usefixtures("large")
def test_a_large_version_is_approximate_float16_and_read_in_place(tmp_path):
    embedder = HashEmbedder(EmbeddingCache(tmp_path / "cache.sqlite3"))
    version = apply_folder(
        tmp_path / "index", write_mixed_folder(tmp_path / "corpus"), embedder
    ).version
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["dense"]["type"] == "IVF-SQ8" and manifest["dense"]["nlist"] == 2
    assert manifest["dense"]["nprobe"] in ann.NPROBE_CHOICES
    assert manifest["vector_dtype"] == "float16" and (version / layout.CHUNK_VECTORS).is_file()
    data = load_index(tmp_path / "index")
    vectors = data.sentence_vectors
    assert isinstance(vectors, NpyRows) and vectors.dtype == np.float16
    stored = np.load(version / layout.SENTENCE_VECTORS)
    np.testing.assert_array_equal(vectors[[3, 1, 2, 3]], stored[[3, 1, 2, 3]])
    np.testing.assert_array_equal(vectors[2], stored[2])
    np.testing.assert_array_equal(vectors[1:4], stored[1:4])
    assert isinstance(data.chunks._data, FileBytes)  # rows read with pread, nothing mapped
    assert isinstance(data.lexical.bm25.scores["data"], np.memmap)
    assert not dense.is_exact(data.dense) and data.dense.nprobe == manifest["dense"]["nprobe"]
    serving = ServingIndex.of(data)
    question = "How long does bread dough rise?"
    query = build_query(question, serving, embedder.embed_query)
    for mode in Mode:
        hits = retrieve(serving, query, 3, mode)
        assert hits and all(h.chunk == data.chunks[h.row] for h in hits)


@pytest.mark.usefixtures("large")
def test_incremental_large_builds_equal_full_ones_byte_for_byte(tmp_path):
    embedder = HashEmbedder(EmbeddingCache(tmp_path / "cache.sqlite3"))
    folder = write_mixed_folder(tmp_path / "corpus")
    root = tmp_path / "index"
    apply_folder(root, folder, embedder)
    (folder / NEW_SOURCE).parent.mkdir(exist_ok=True)
    (folder / NEW_SOURCE).write_text(NEW_TEXT, encoding="utf-8")
    incremental = apply_folder(root, folder, embedder)
    assert incremental.published and incremental.full_reason is None
    scratch = tmp_path / "scratch"
    full = apply_folder(scratch, folder, embedder, full=True)
    assert digests(incremental.version) == digests(full.version)


def test_shrinking_below_the_large_size_re_embeds_rather_than_keep_float16(tmp_path, monkeypatch):
    embedder = HashEmbedder(EmbeddingCache(tmp_path / "cache.sqlite3"))
    folder = write_mixed_folder(tmp_path / "corpus")
    root = tmp_path / "index"
    with monkeypatch.context() as patch:
        patch.setattr(dense, "EXACT_LIMIT", 1)
        patch.setattr(layout, "LARGE_INDEX", 1)
        patch.setattr(ann, "lists_for", lambda rows: 2)
        apply_folder(root, folder, embedder)
    assert load_index(root).manifest.vector_dtype == "float16"
    (folder / "garlic.html").unlink()
    result = apply_folder(root, folder, embedder)
    assert result.published and load_index(root).manifest.vector_dtype == "float32"
    full = apply_folder(tmp_path / "scratch", folder, embedder, full=True)
    assert digests(current_version(root)) == digests(full.version)
