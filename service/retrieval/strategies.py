"""One function per ranked list: dense passages, BM25 passages, passages by their best sentence.

Each strategy reads the typed query and the serving index and returns a Ranking; retrieval
(service/retrieval/__init__.py) fuses the lists a mode asks for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from index.lexical import top_k
from service.question.query import SearchQuery
from service.retrieval.fuse import Ranking
from service.serving import ServingIndex

Strategy = Callable[[ServingIndex, SearchQuery, int], Ranking]
SENTENCE_POOL = 400  # passages whose sentences are scored when the dense index is approximate


def _ranking(name: str, pairs: list[tuple[int, float]]) -> Ranking:
    return Ranking(name, tuple(r for r, _ in pairs), tuple(s for _, s in pairs))


def _dense_depth(query: SearchQuery, depth: int) -> int:
    """How deep the one dense search of a request goes: with an approximate index, deep enough
    for best_sentence's pool too, so the dense list and the pool share one search."""
    return depth if query.scores.exact else max(depth, SENTENCE_POOL)


def dense(index: ServingIndex, query: SearchQuery, depth: int) -> Ranking:
    """Passages by cosine between the query vector and the passage vector (FAISS)."""
    return _ranking("dense", query.scores.dense(_dense_depth(query, depth))[:depth])


def bm25(index: ServingIndex, query: SearchQuery, depth: int) -> Ranking:
    """Passages by BM25 over stemmed, stopword-free terms, typos corrected to the index's."""
    return _ranking("bm25", top_k(index.lexical.scores_of(query.bm25_terms), depth))


def best_sentence(index: ServingIndex, query: SearchQuery, depth: int) -> Ranking:
    """Passages by the cosine of their best sentence: precise where passages are broad.

    With an exact dense index every sentence is scored. With an approximate (large) one,
    only the sentences of the dense list's top SENTENCE_POOL passages are: scanning millions
    of stored sentence vectors per request would read them all from disk.
    """
    if not len(index.sentence_vectors):
        return Ranking("sentence", (), ())
    ragged = index.data.tables.chunk_sentences
    if query.scores.exact:
        rows = np.arange(len(index.chunks))
    else:
        pool = query.scores.dense(_dense_depth(query, depth))
        rows = np.asarray(sorted(r for r, _ in pool), dtype=np.int64)
    starts, ends = ragged.offsets[rows], ragged.offsets[rows + 1]
    filled = ends > starts
    rows, starts, ends = rows[filled], starts[filled], ends[filled]
    if not len(rows):
        return Ranking("sentence", (), ())
    lengths = ends - starts
    positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    sids = np.asarray(ragged.values[positions], dtype=np.int64)
    similarity = query.scores.sentences(sids)  # exact: one product over every sentence
    best = np.maximum.reduceat(similarity, np.cumsum(lengths) - lengths)
    order = np.argsort(-best, kind="stable")[:depth]
    return _ranking("sentence", [(int(rows[i]), float(best[i])) for i in order])
