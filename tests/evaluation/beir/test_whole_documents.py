"""The reciprocal-rank fusion of two document runs that evaluation.beir.whole_documents prints."""

from __future__ import annotations

from evaluation.beir.whole_documents import fused


def test_a_document_in_both_runs_outranks_one_first_in_only_one() -> None:
    run = fused({"q": ["a", "b", "c"]}, {"q": ["c", "d", "b"]})
    # b: 1/62 + 1/63 and c: 1/63 + 1/61 beat a (1/61 alone)
    assert run["q"][:2] == ["c", "b"]
    assert set(run["q"]) == {"a", "b", "c", "d"}


def test_queries_missing_from_the_second_run_keep_the_first_ranking() -> None:
    assert fused({"q": ["x", "y"]}, {}) == {"q": ["x", "y"]}


def test_at_most_a_hundred_documents_are_kept() -> None:
    first = {"q": [f"a{i}" for i in range(80)]}
    second = {"q": [f"b{i}" for i in range(80)]}
    assert len(fused(first, second)["q"]) == 100
