"""Embedders for tests: a deterministic fake (no model), and a wrapper that records what the
real one is asked to embed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from ingest.embed import Embedder, EmbeddingCache, ModelInfo
from ingest.embed.cache import embed_cached


class HashEmbedder:
    """A fast fake for mechanics tests: a vector from each text's hash, through a real cache.

    Every component is positive, so any two vectors have a positive cosine; equal texts have
    equal vectors (cosine 1)."""

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

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), False)


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

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.real.embed_queries(texts)

    def reset(self) -> None:
        self.texts, self.calls = [], 0
