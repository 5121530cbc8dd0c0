"""Index-test helpers: an embedder that counts what it is asked to embed, and corpus folders."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.embed import Embedder, EmbeddingCache, ModelInfo
from ingest.embed.cache import embed_cached
from service.config import PROJECT_ROOT


class CountingEmbedder:
    """The real embedder (real model, real cache), recording every text a build embeds."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.name, self.fingerprint = real.name, real.fingerprint
        self.cache = getattr(real, "cache", None)
        self.texts: list[str] = []
        self.calls = 0

    @property
    def dimension(self) -> int:
        return self.real.dimension

    def info(self) -> ModelInfo:
        return self.real.info()

    def warm_up(self) -> None:
        self.real.warm_up()

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        return self.real.embed(texts, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)

    def reset(self) -> None:
        self.texts, self.calls = [], 0


@pytest.fixture()
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus, to edit."""
    target = tmp_path / "articles"
    shutil.copytree(PROJECT_ROOT / "corpus", target)
    return target


class HashEmbedder:
    """A fast fake for mechanics tests: a vector from each text's hash, through a real cache."""

    name = "hash-embedder"
    fingerprint = "hash-embedder-v1"
    dimension = 8

    def __init__(self, cache: EmbeddingCache | None = None) -> None:
        self.cache = cache
        self.encoded: list[str] = []

    def info(self) -> ModelInfo:
        return ModelInfo(self.name, "-", self.fingerprint, self.dimension, 128, "test", "fp32")

    def warm_up(self) -> None:
        return None

    def _encode(self, texts: Sequence[str], _progress: bool) -> np.ndarray:
        self.encoded.extend(texts)
        rows = [
            np.frombuffer(hashlib.sha256(t.encode()).digest()[: self.dimension], np.uint8)
            for t in texts
        ]
        vectors = np.asarray(rows, dtype=np.float32) + 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return embed_cached(
            texts, fingerprint=self.fingerprint, cache=self.cache, encode=self._encode
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], False)[0]


def write_notes(folder: Path, notes: dict[str, str]) -> Path:
    """A corpus of small plain-text notes: {file stem: one sentence of body}."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    for stem, body in notes.items():
        (folder / f"{stem}.txt").write_text(f"{stem.title()} Notes\n\n{body}\n", encoding="utf-8")
    return folder
