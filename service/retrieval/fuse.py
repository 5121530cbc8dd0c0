"""Merging ranked lists: weighted reciprocal rank fusion, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RRF_K = 60  # the constant of Cormack et al. (2009); robust without tuning


@dataclass(frozen=True)
class Ranking:
    """One strategy's ranked passages: rows of the chunk table, best first, with raw scores."""

    name: str
    rows: tuple[int, ...]
    scores: tuple[float, ...]

    def positions(self) -> dict[int, tuple[int, float]]:
        """row -> (1-based rank, raw score)."""
        return {
            row: (rank, score)
            for rank, (row, score) in enumerate(zip(self.rows, self.scores, strict=True), start=1)
        }


@dataclass(frozen=True)
class Weighted:
    ranking: Ranking
    weight: float = 1.0


def fuse(lists: Sequence[Weighted], rrf_k: int = RRF_K) -> dict[int, float]:
    """Each row's fused score: the sum over lists of weight / (rrf_k + rank).

    A single list keeps its raw scores instead, so dense-only and BM25-only modes report the
    cosine or BM25 score a user can read (the order is the same either way).
    """
    if rrf_k < 0:
        raise ValueError(f"rrf_k must be >= 0, got {rrf_k}")
    active = [w for w in lists if w.weight and w.ranking.rows]
    if len(lists) == 1:
        only = lists[0].ranking
        return dict(zip(only.rows, only.scores, strict=True))
    fused: dict[int, float] = {}
    for item in active:
        for rank, row in enumerate(item.ranking.rows, start=1):
            fused[row] = fused.get(row, 0.0) + item.weight / (rrf_k + rank)
    return fused


def best_rows(scores: dict[int, float], k: int) -> list[int]:
    """The k best rows, ties broken by row order so output is stable."""
    return sorted(scores, key=lambda row: (-scores[row], row))[:k]
