"""One function per ranked list: dense passages, BM25 passages, passages by their best sentence.

Each strategy reads the typed query and the serving index and returns a Ranking; retrieval
(service/retrieval/__init__.py) fuses the lists a mode asks for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from index.dense import search_dense
from index.lexical import top_k
from service.query import Query
from service.retrieval.fuse import Ranking
from service.serving import ServingIndex

Strategy = Callable[[ServingIndex, Query, int], Ranking]


def _ranking(name: str, pairs: list[tuple[int, float]]) -> Ranking:
    return Ranking(name, tuple(r for r, _ in pairs), tuple(s for _, s in pairs))


def dense(index: ServingIndex, query: Query, depth: int) -> Ranking:
    """Passages by cosine between the query vector and the passage vector (exact FAISS)."""
    return _ranking("dense", search_dense(index.dense, query.vector, depth))


def bm25(index: ServingIndex, query: Query, depth: int) -> Ranking:
    """Passages by BM25 over stemmed, stopword-free terms; the whole question is used."""
    return _ranking("bm25", top_k(index.lexical.scores(query.text), depth))


def best_sentence(index: ServingIndex, query: Query, depth: int) -> Ranking:
    """Passages by the cosine of their best sentence: precise where passages are broad."""
    if not len(index.sentence_vectors):
        return Ranking("sentence", (), ())
    similarity = index.sentence_vectors @ query.vector
    best = np.full(len(index.chunks), -1.0, dtype=np.float32)
    for row, sids in enumerate(index.chunk_sentences):
        if sids:
            best[row] = similarity[list(sids)].max()
    order = np.argsort(-best, kind="stable")[:depth]
    return _ranking("sentence", [(int(r), float(best[r])) for r in order if best[r] > -1.0])
