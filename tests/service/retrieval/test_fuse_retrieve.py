"""Fusion and retrieval on a small hand-built index (tests/support/small_index.py): the real
strategies' lists fused by weight, and what each mode returns. No model, no bundled corpus."""

from __future__ import annotations

import numpy as np
import pytest

from index.build import chunk_inputs
from service.question.query import Query, build_query
from service.retrieval import strategies
from service.retrieval.fuse import Ranking, Weighted, best_rows, fuse
from service.retrieval.modes import Mode
from service.retrieval.retrieve import CANDIDATES, FusionConfig, retrieve
from service.serving import ServingIndex
from tests.support.embedders import HashEmbedder
from tests.support.small_index import RARE_TERM, passage_row

QUESTION = "How often should I feed a starter kept in the fridge?"
SIGNALS = ("dense", "bm25", "sentence")


@pytest.fixture(scope="module")
def query(small_index: ServingIndex, hash_embedder: HashEmbedder) -> Query:
    return build_query(QUESTION, small_index, hash_embedder.embed_query)


def _expected_rrf(lists: list[Weighted], rrf_k: int) -> dict[int, float]:
    expected: dict[int, float] = {}
    for item in lists:
        for row, (rank, _score) in item.ranking.positions().items():
            expected[row] = expected.get(row, 0.0) + item.weight / (rrf_k + rank)
    return expected


# --- fuse and best_rows on the strategies' real lists -----------------------------------------


def test_fusion_weighs_each_real_list_by_reciprocal_rank(small_index, query):
    dense = strategies.dense(small_index, query, CANDIDATES)
    bm25 = strategies.bm25(small_index, query, CANDIDATES)
    assert set(bm25.rows) < set(dense.rows)  # BM25 finds only passages sharing a term
    lists = [Weighted(dense, 2.0), Weighted(bm25, 0.5)]
    fused = fuse(lists, rrf_k=10)
    assert set(fused) == set(dense.rows)
    assert fused == pytest.approx(_expected_rrf(lists, rrf_k=10))
    # the weights decide between the lists' different first passages
    assert dense.rows[0] != bm25.rows[0]
    dense_heavy = fuse([Weighted(dense, 20.0), Weighted(bm25, 1.0)], rrf_k=10)
    bm25_heavy = fuse([Weighted(dense, 1.0), Weighted(bm25, 20.0)], rrf_k=10)
    assert best_rows(dense_heavy, 1) == [dense.rows[0]]
    assert best_rows(bm25_heavy, 1) == [bm25.rows[0]]


def test_a_zero_weight_list_adds_nothing(small_index, query):
    dense = strategies.dense(small_index, query, CANDIDATES)
    bm25 = strategies.bm25(small_index, query, CANDIDATES)
    sentence = strategies.best_sentence(small_index, query, CANDIDATES)
    with_zero = fuse([Weighted(dense), Weighted(bm25, 0.0), Weighted(sentence)])
    assert with_zero == pytest.approx(fuse([Weighted(dense), Weighted(sentence)]))


def test_ties_are_broken_by_row(small_index, query):
    dense = strategies.dense(small_index, query, 2)
    low, high = sorted(dense.rows)
    mirrored = Ranking("mirror", tuple(reversed(dense.rows)), tuple(reversed(dense.scores)))
    fused = fuse([Weighted(dense), Weighted(mirrored)])
    assert fused[low] == fused[high]
    assert best_rows(fused, 2) == [low, high]
    assert best_rows(fused, 1) == [low]


def test_a_single_list_keeps_its_raw_scores(small_index, query):
    bm25 = strategies.bm25(small_index, query, CANDIDATES)
    assert fuse([Weighted(bm25)]) == dict(zip(bm25.rows, bm25.scores, strict=True))
    # hybrid with every other weight at zero is dense alone: cosines, not reciprocal ranks
    only_dense = FusionConfig(bm25_weight=0.0, sentence_weight=0.0)
    hybrid = retrieve(small_index, query, 4, Mode.HYBRID, only_dense)
    dense = retrieve(small_index, query, 4, Mode.DENSE)
    assert [(h.row, h.score) for h in hybrid] == [(h.row, h.score) for h in dense]
    assert all(h.signals["bm25_rank"] is None for h in hybrid)


def test_a_negative_rrf_k_is_refused(small_index, query):
    with pytest.raises(ValueError, match="rrf_k must be >= 0"):
        retrieve(small_index, query, 3, Mode.HYBRID, FusionConfig(rrf_k=-1))


# --- retrieve: each mode's signals, k, and what ranks first ------------------------------------


@pytest.mark.parametrize(
    ("mode", "present"),
    [(Mode.DENSE, {"dense"}), (Mode.BM25, {"bm25"}), (Mode.HYBRID, {"dense", "sentence"})],
)
def test_each_mode_reports_the_signals_of_its_lists(small_index, query, mode, present):
    hits = retrieve(small_index, query, 5, mode, FusionConfig())
    assert hits
    for hit in hits:
        assert set(hit.signals) == {
            *(f"{name}_{part}" for name in SIGNALS for part in ("score", "rank")),
            "fused_score",
        }
        for name in SIGNALS:
            given = hit.signals[f"{name}_rank"] is not None
            assert given == (hit.signals[f"{name}_score"] is not None)
            if name in present:  # dense and best-sentence rank every passage of this index
                assert given, (mode, name, hit.signals)
            elif mode is not Mode.HYBRID:
                assert not given, (mode, name, hit.signals)
        assert hit.signals["fused_score"] == hit.score
        assert hit.chunk == small_index.chunks[hit.row]
    if mode is Mode.HYBRID:  # BM25 adds its rank to the passages that hold a question term
        assert any(h.signals["bm25_rank"] is not None for h in hits)
        assert any(h.signals["bm25_rank"] is None for h in hits)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("k", [1, 3, 50])
def test_k_bounds_the_hits_which_come_ranked(small_index, query, mode, k):
    hits = retrieve(small_index, query, k, mode)
    matching = len(strategies.bm25(small_index, query, CANDIDATES).rows)
    available = matching if mode is Mode.BM25 else len(small_index.chunks)
    assert len(hits) == min(k, available)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.row for h in hits}) == len(hits)


def test_bm25_puts_the_passage_with_the_rare_term_first(small_index, hash_embedder):
    query = build_query(f"What is a {RARE_TERM} for?", small_index, hash_embedder.embed_query)
    (first, *rest) = retrieve(small_index, query, 5, Mode.BM25)
    assert RARE_TERM in first.chunk.text
    assert first.row == passage_row(small_index, "bees.md", "Checking the Honey Stores")
    assert first.signals["bm25_rank"] == 1
    assert all(RARE_TERM not in h.chunk.text and h.score < first.score for h in rest)


def test_dense_puts_the_passage_whose_vector_is_the_querys_first(small_index, hash_embedder):
    row = passage_row(small_index, "baking.md", "Looking After the Starter")
    chunk = small_index.chunks[row]
    # the very text the build embedded for this passage: the fake embedder's equal vector
    (embedded,) = chunk_inputs(small_index.documents[chunk.doc_id], [chunk])
    query = build_query(QUESTION, small_index, lambda _text: hash_embedder.embed_query(embedded))
    (first, second, *_rest) = retrieve(small_index, query, 3, Mode.DENSE)
    assert first.row == row and first.score == pytest.approx(1.0, abs=1e-5)
    assert second.score < first.score
    assert np.isclose(first.signals["dense_score"], first.score)
