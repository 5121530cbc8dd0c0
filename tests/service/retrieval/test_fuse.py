"""Fusion on hand-made ranked lists, and the mode enum everything derives its modes from."""

from __future__ import annotations

import pytest

from service.retrieval.fuse import RRF_K, Ranking, Weighted, best_rows, fuse
from service.retrieval.modes import Mode


def _ranking(name: str, rows: list[int]) -> Ranking:
    return Ranking(name, tuple(rows), tuple(float(len(rows) - i) for i in range(len(rows))))


def test_rrf_sums_weighted_reciprocal_ranks():
    a, b = _ranking("a", [7, 3, 5]), _ranking("b", [3, 9])
    fused = fuse([Weighted(a, 1.0), Weighted(b, 2.0)], rrf_k=60)
    assert fused[3] == pytest.approx(1 / 62 + 2 / 61)
    assert fused[7] == pytest.approx(1 / 61)
    assert fused[9] == pytest.approx(2 / 62)
    assert fused[5] == pytest.approx(1 / 63)
    assert best_rows(fused, 2) == [3, 9]


def test_a_single_list_keeps_its_raw_scores():
    only = Ranking("dense", (4, 2), (0.9, 0.4))
    assert fuse([Weighted(only)]) == {4: 0.9, 2: 0.4}


def test_zero_weight_and_empty_lists_add_nothing():
    a, empty = _ranking("a", [1, 2]), Ranking("b", (), ())
    assert fuse([Weighted(a), Weighted(_ranking("c", [2, 1]), 0.0), Weighted(empty)]) == {
        1: pytest.approx(1 / (RRF_K + 1)),
        2: pytest.approx(1 / (RRF_K + 2)),
    }


def test_ties_break_by_row_order():
    assert best_rows({5: 0.5, 2: 0.5, 9: 0.7}, 3) == [9, 2, 5]


def test_negative_rrf_k_is_refused():
    with pytest.raises(ValueError, match="rrf_k"):
        fuse([Weighted(_ranking("a", [1])), Weighted(_ranking("b", [1]))], rrf_k=-1)


def test_modes_parse_and_name_every_choice():
    assert Mode.from_str(" Hybrid ") is Mode.HYBRID
    assert Mode.names() == ("dense", "bm25", "hybrid")
    with pytest.raises(ValueError, match="choose one of dense, bm25, hybrid"):
        Mode.from_str("magic")
