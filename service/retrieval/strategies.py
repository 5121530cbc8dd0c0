"""One function per ranked list: dense passages, BM25 passages, passages by their best sentence.

Each strategy reads the typed query and the serving index and returns a Ranking; retrieval
(service/retrieval/__init__.py) fuses the lists a mode asks for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from index.dense import is_exact, search_dense
from index.lexical import top_k
from service.query import Query
from service.retrieval.fuse import Ranking
from service.serving import ServingIndex

Strategy = Callable[[ServingIndex, Query, int], Ranking]
SENTENCE_POOL = 400  # passages whose sentences are scored when the dense index is approximate


def _ranking(name: str, pairs: list[tuple[int, float]]) -> Ranking:
    return Ranking(name, tuple(r for r, _ in pairs), tuple(s for _, s in pairs))


def dense(index: ServingIndex, query: Query, depth: int) -> Ranking:
    """Passages by cosine between the query vector and the passage vector (exact FAISS)."""
    return _ranking("dense", search_dense(index.dense, query.vector, depth))


def bm25(index: ServingIndex, query: Query, depth: int) -> Ranking:
    """Passages by BM25 over stemmed, stopword-free terms, typos corrected to the index's."""
    return _ranking("bm25", top_k(index.lexical.scores_of(query.bm25_terms), depth))


def best_sentence(index: ServingIndex, query: Query, depth: int) -> Ranking:
    """Passages by the cosine of their best sentence: precise where passages are broad.

    With an exact dense index every sentence is scored. With an approximate (large) one,
    only the sentences of the dense list's top SENTENCE_POOL passages are: scanning millions
    of stored sentence vectors per request would read them all from disk.
    """
    if not len(index.sentence_vectors):
        return Ranking("sentence", (), ())
    ragged = index.data.tables.chunk_sentences
    if is_exact(index.dense):
        rows = np.arange(len(index.chunks))
    else:
        pool = search_dense(index.dense, query.vector, max(depth, SENTENCE_POOL))
        rows = np.asarray(sorted(r for r, _ in pool), dtype=np.int64)
    starts, ends = ragged.offsets[rows], ragged.offsets[rows + 1]
    filled = ends > starts
    rows, starts, ends = rows[filled], starts[filled], ends[filled]
    if not len(rows):
        return Ranking("sentence", (), ())
    lengths = ends - starts
    positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    sids = np.asarray(ragged.values[positions], dtype=np.int64)
    if is_exact(index.dense):  # every sentence is scored anyway: one product over them all
        similarity = (index.sentence_vectors @ query.vector)[sids]
    else:
        similarity = np.asarray(index.sentence_vectors[sids] @ query.vector, dtype=np.float32)
    best = np.maximum.reduceat(similarity, np.cumsum(lengths) - lengths)
    order = np.argsort(-best, kind="stable")[:depth]
    return _ranking("sentence", [(int(rows[i]), float(best[i])) for i in order])
