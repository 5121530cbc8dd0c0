"""The embedding cache: rows keyed by (fingerprint, sha256 of the text), encoded once."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.embed import EmbeddingCache
from ingest.embed.cache import embed_cached


class CountingEncoder:
    """A fake model: one distinct vector per text, and a record of what it was asked."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)


def test_key_is_the_sha256_of_the_text() -> None:
    assert EmbeddingCache.key("café") == hashlib.sha256("café".encode()).hexdigest()


def test_only_missing_texts_are_encoded_once_each(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    encode = CountingEncoder()
    texts = ["b", "a", "b", "cc"]
    first = embed_cached(texts, fingerprint="m1", cache=cache, encode=encode)
    assert encode.calls == [["b", "a", "cc"]]  # "b" once, despite appearing twice
    assert np.array_equal(first, encode(texts, False))  # rows in the caller's order
    again = embed_cached(["cc", "new", "a"], fingerprint="m1", cache=cache, encode=encode)
    assert encode.calls[2] == ["new"]
    assert np.array_equal(again, encode(["cc", "new", "a"], False))


def test_another_fingerprint_sees_no_rows(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    encode = CountingEncoder()
    embed_cached(["x"], fingerprint="m1", cache=cache, encode=encode)
    embed_cached(["x"], fingerprint="m1-int8", cache=cache, encode=encode)
    assert encode.calls == [["x"], ["x"]]
    assert set(cache.get_many("m1", [EmbeddingCache.key("x")])) == {EmbeddingCache.key("x")}


def test_rows_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    embed_cached(["x", "y"], fingerprint="m", cache=EmbeddingCache(path), encode=CountingEncoder())
    encode = CountingEncoder()
    rows = embed_cached(["y", "x"], fingerprint="m", cache=EmbeddingCache(path), encode=encode)
    assert encode.calls == [] and rows.dtype == np.float32 and rows.shape == (2, 3)


def test_an_interrupted_run_keeps_what_it_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.embed.cache.STORE_EVERY", 2)
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    texts = ["a", "b", "c", "d", "e"]

    def dies_on_the_third_slice(batch: Sequence[str], progress: bool) -> np.ndarray:
        if "e" in batch:
            raise KeyboardInterrupt
        return CountingEncoder()(batch, progress)

    with pytest.raises(KeyboardInterrupt):
        embed_cached(texts, fingerprint="m", cache=cache, encode=dies_on_the_third_slice)
    encode = CountingEncoder()
    embed_cached(texts, fingerprint="m", cache=cache, encode=encode)
    assert encode.calls == [["e"]]
