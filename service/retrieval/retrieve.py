"""The strategies a mode asks for, fused into ranked passages with the signals behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.chunk import Chunk
from service.question.query import SearchQuery
from service.retrieval import strategies
from service.retrieval.fuse import RRF_K, Weighted, best_rows, fuse
from service.retrieval.modes import Mode
from service.serving import ServingIndex

CANDIDATES = 100  # how deep each strategy looks before fusion


@dataclass(frozen=True)
class FusionConfig:
    """Weights of reciprocal rank fusion (evaluation/fitting/tune.py compares settings)."""

    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    sentence_weight: float = 1.0  # passages ranked by their best sentence (hybrid only)
    rrf_k: int = RRF_K


@dataclass(frozen=True)
class Hit:
    """A ranked passage; `signals` explains its rank (each list's score and rank, fused score)."""

    chunk: Chunk
    row: int
    score: float
    rank: int
    signals: dict[str, float | int | None] = field(default_factory=dict)


def _lists(mode: Mode, fusion: FusionConfig) -> list[tuple[str, strategies.Strategy, float]]:
    """(signal name, strategy, weight) for each list the mode fuses."""
    if mode is Mode.DENSE:
        return [("dense", strategies.dense, 1.0)]
    if mode is Mode.BM25:
        return [("bm25", strategies.bm25, 1.0)]
    chosen = [
        ("dense", strategies.dense, fusion.dense_weight),
        ("bm25", strategies.bm25, fusion.bm25_weight),
        ("sentence", strategies.best_sentence, fusion.sentence_weight),
    ]
    return [item for item in chosen if item[2]]


def retrieve(
    index: ServingIndex,
    query: SearchQuery,
    k: int,
    mode: Mode,
    fusion: FusionConfig = FusionConfig(),
) -> list[Hit]:
    """The k best passages for the query under the chosen mode."""
    depth = max(k, CANDIDATES)
    named = [
        (name, strategy(index, query, depth), weight)
        for name, strategy, weight in _lists(mode, fusion)
    ]
    fused = fuse([Weighted(ranking, weight) for _, ranking, weight in named], fusion.rrf_k)
    positions = {name: ranking.positions() for name, ranking, _ in named}
    hits = []
    for rank, row in enumerate(best_rows(fused, k), start=1):
        signals: dict[str, float | int | None] = {}
        for name in ("dense", "bm25", "sentence"):
            found = positions.get(name, {}).get(row)
            signals[f"{name}_score"] = found[1] if found else None
            signals[f"{name}_rank"] = found[0] if found else None
        signals["fused_score"] = fused[row]
        hits.append(Hit(index.chunks[row], row, fused[row], rank, signals))
    return hits
