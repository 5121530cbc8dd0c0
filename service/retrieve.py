"""Retrieval: dense, BM25 or both fused, returning ranked passages with the signals behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.dense import search_dense
from index.lexical import top_k
from index.load import IndexData
from ingest.chunk import Chunk

RRF_K = 60  # the constant of Cormack et al. (2009); robust without tuning
CANDIDATES = 100  # how deep each retriever looks before fusion


@dataclass(frozen=True)
class FusionConfig:
    """Weights of reciprocal rank fusion; tuned values are recorded in the README."""

    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    sentence_weight: float = 1.0  # passages ranked by their best sentence (when indexed)
    rrf_k: int = RRF_K


@dataclass(frozen=True)
class Hit:
    """A ranked passage; `signals` explains its rank (dense/BM25 scores and ranks, fused score)."""

    chunk: Chunk
    row: int
    score: float
    rank: int
    signals: dict[str, float | int | None] = field(default_factory=dict)


def _ranked(pairs: list[tuple[int, float]]) -> dict[int, tuple[int, float]]:
    return {row: (rank, score) for rank, (row, score) in enumerate(pairs, start=1)}


def _by_best_sentence(index: IndexData, query_vector: np.ndarray, depth: int) -> dict:
    """Passages ranked by the similarity of their best sentence: precise where chunks are broad."""
    if not len(index.sentence_vectors):
        return {}
    similarity = index.sentence_vectors @ query_vector
    best = np.full(len(index.chunks), -1.0, dtype=np.float32)
    for row, sids in enumerate(index.chunk_sentences):
        if sids:
            best[row] = similarity[list(sids)].max()
    order = np.argsort(-best, kind="stable")[:depth]
    return _ranked([(int(row), float(best[row])) for row in order if best[row] > -1.0])


def retrieve(
    index: IndexData,
    query_text: str,
    query_vector: np.ndarray,
    k: int,
    mode: str = "hybrid",
    fusion: FusionConfig = FusionConfig(),
) -> list[Hit]:
    """The k best passages for the query under the chosen mode."""
    depth = max(k, CANDIDATES)
    dense = _ranked(search_dense(index.dense, query_vector, depth)) if mode != "bm25" else {}
    lexical = _ranked(top_k(index.lexical.scores(query_text), depth)) if mode != "dense" else {}
    sentence = (
        _by_best_sentence(index, query_vector, depth)
        if mode == "hybrid" and fusion.sentence_weight
        else {}
    )
    lists = (
        (fusion.dense_weight, dense),
        (fusion.bm25_weight, lexical),
        (fusion.sentence_weight, sentence),
    )
    fused: dict[int, float] = {}
    for row in dense.keys() | lexical.keys() | sentence.keys():
        if mode == "dense":
            fused[row] = dense[row][1]
        elif mode == "bm25":
            fused[row] = lexical[row][1]
        else:
            fused[row] = sum(
                weight / (fusion.rrf_k + ranks[row][0]) for weight, ranks in lists if row in ranks
            )
    best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
    return [
        Hit(
            chunk=index.chunks[row],
            row=row,
            score=fused[row],
            rank=rank,
            signals={
                "dense_score": dense[row][1] if row in dense else None,
                "dense_rank": dense[row][0] if row in dense else None,
                "bm25_score": lexical[row][1] if row in lexical else None,
                "bm25_rank": lexical[row][0] if row in lexical else None,
                "sentence_score": sentence[row][1] if row in sentence else None,
                "sentence_rank": sentence[row][0] if row in sentence else None,
                "fused_score": fused[row],
            },
        )
        for rank, row in enumerate(best, start=1)
    ]
