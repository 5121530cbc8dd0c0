"""Concurrent query embeddings share model calls; one caller alone never waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from ingest.embed import Embedder
from service.query_batching import QueryBatcher, by_length


class SlowModel:
    """Records each call's batch; the first call holds until `release` is set."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            assert self.release.wait(30)
        return np.array([[len(t), i] for i, t in enumerate(texts)], dtype=np.float32)


def until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_one_caller_is_embedded_at_once_in_a_batch_of_one():
    model = SlowModel()
    model.release.set()
    batcher = QueryBatcher(model)
    vector = batcher.embed("hello")
    assert model.batches == [["hello"]] and vector[0] == 5


def test_callers_arriving_while_the_model_is_busy_share_one_call():
    model = SlowModel()
    batcher = QueryBatcher(model, max_batch=8)
    results: dict[str, np.ndarray] = {}
    texts = [f"question number {'x' * i}" for i in range(9)]  # of similar length

    def ask(text: str) -> None:
        results[text] = batcher.embed(text)

    first = threading.Thread(target=ask, args=(texts[0],))
    first.start()
    until(lambda: len(model.batches) == 1)  # the model is busy with the first question
    others = [threading.Thread(target=ask, args=(t,)) for t in texts[1:]]
    for thread in others:
        thread.start()
    until(lambda: batcher.waiting == 8)
    model.release.set()
    for thread in [first, *others]:
        thread.join()
    assert model.batches[0] == [texts[0]]
    assert sorted(len(b) for b in model.batches[1:]) == [8]  # the other eight, together
    for text in texts:
        assert results[text][0] == len(text)  # each caller got its own row
    assert batcher.calls == 2 and batcher.embedded == 9


def test_questions_of_very_different_lengths_go_in_separate_calls():
    texts = ["why?", "how long is it", "how many hours", "a" * 400, "b" * 300]
    groups = by_length(texts)
    assert sorted(sorted(g) for g in groups) == [[0, 1, 2], [3, 4]]


def test_an_error_reaches_every_caller_of_that_batch_and_the_next_batch_runs():
    calls = []

    def failing(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        if len(calls) == 1:
            raise RuntimeError("model failed")
        return np.zeros((len(texts), 2), dtype=np.float32)

    batcher = QueryBatcher(failing)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed("a")
    assert batcher.embed("b").shape == (2,)


def test_batched_vectors_equal_one_at_a_time(embedder: Embedder):
    texts = ["How long should I give him space?", "why do men pull away", "sleep hygiene tips"]
    together = QueryBatcher(embedder.embed_queries)
    vectors = [None] * len(texts)

    def ask(i: int) -> None:
        vectors[i] = together.embed(texts[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for text, vector in zip(texts, vectors, strict=True):
        assert float(np.dot(vector, embedder.embed_query(text))) > 0.99999
