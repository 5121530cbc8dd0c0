"""Embedding fixtures: the real bundled model on torch and on its ONNX export, loaded once."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ingest.chunk import ChunkingConfig
from ingest.documents import Document
from ingest.embed import Embedder, OnnxEmbedder, TorchEmbedder, default_model_dir, embedding_input
from ingest.embed.onnx_export import ensure_export
from ingest.pipeline import prepare_documents
from service.config import Settings
from tests.support.paths import FOREIGN_QUESTIONS, SUITE
from tests.support.workers import embed_threads


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return default_model_dir()


@pytest.fixture(scope="session")
def export_root(
    settings: Settings, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """This session's own export folder: the export the shared `embedder` fixture (auto, build)
    made, linked file by file. The xdist workers share the cache the export lives in; the
    exports these tests make (int8) and the folders they list stay this worker's."""
    shared = settings.cache_dir / "onnx"
    ensure_export(default_model_dir(), shared)  # a no-op unless the session runs on torch
    root = tmp_path_factory.mktemp("onnx")
    shutil.copytree(
        shared, root, dirs_exist_ok=True, copy_function=_link, ignore=shutil.ignore_patterns(".*")
    )
    return root


def _link(source: str, target: str) -> None:
    """A hard link (exports are never written in place), or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@pytest.fixture(scope="session")
def torch_embedder(model_dir: Path) -> TorchEmbedder:
    embedder = TorchEmbedder(model_dir)  # no cache: every vector really comes from torch
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def onnx_embedder(model_dir: Path, export_root: Path) -> OnnxEmbedder:
    # no cache either
    embedder = OnnxEmbedder(model_dir, export_root=export_root, threads=embed_threads())
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def real_texts(corpus: list[Document]) -> list[str]:
    """A few dozen real inputs: passages as indexed, sentences, questions, long and foreign."""
    prepared = prepare_documents(corpus, ChunkingConfig())
    titles = {d.doc_id: d.title for d in corpus}
    chunks = [c for p in prepared for c in p.chunks]
    sentences = [s.text for p in prepared for s in p.sentences]
    questions = [json.loads(line)["question"] for line in SUITE.read_text().splitlines()]
    passages = [embedding_input(titles[c.doc_id], c.section, c.text) for c in chunks[::4]]
    long_inputs = [d.text[:4000] for d in corpus]  # far past 256 word pieces: truncated
    return [
        *passages[:10],
        *sentences[::40][:10],
        *questions[::10][:10],
        *long_inputs,
        *FOREIGN_QUESTIONS,
        "?",
    ]
