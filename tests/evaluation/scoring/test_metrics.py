"""Tests for the metric functions: hand-computed examples, ranx cross-checks and properties."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.cases.suite import Span
from evaluation.scoring.answer_metrics import (
    answer_chars,
    answer_length,
    citation_precision,
    citation_recall,
    embedding_similarity,
    groundedness,
    must_contain_coverage,
    split_cited_segments,
    token_f1,
)
from evaluation.scoring.metrics import (
    MetricResult,
    abstention,
    hit_at_k,
    latency_percentiles,
    mean_by_group,
    mrr_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    spans_to_qrels,
)

RankingMetric = Callable[
    [Mapping[str, Sequence[str]], Mapping[str, Mapping[str, int]], int], MetricResult
]
RANKING: dict[str, RankingMetric] = {
    "hit_rate": hit_at_k,
    "recall": recall_at_k,
    "mrr": mrr_at_k,
    "ndcg": ndcg_at_k,
    "precision": precision_at_k,
}
KS = (1, 3, 5, 10)

HAND_RUN: dict[str, list[str]] = {
    "q1": ["d1", "d2", "d3", "d4"],
    "q2": ["d5", "d6", "d6", "d7"],  # duplicate d6 counts once, so d7 is rank 3
    "q3": ["x", "y"],  # nothing relevant retrieved
    "q6": ["d3", "d1", "d2"],  # every relevant doc, in the ideal order
    "q7": ["d9", "d8"],  # graded, reversed order
}
HAND_QRELS: dict[str, dict[str, int]] = {
    "q1": {"d2": 1, "d3": 2, "d9": 1, "d4": 0},
    "q2": {"d7": 1},
    "q3": {"z": 1},
    "q4": {"d1": 1},  # missing from the run: scores 0
    "q5": {"d1": 0},  # no relevant doc: not evaluated
    "q6": {"d3": 3, "d1": 2, "d2": 1},
    "q7": {"d8": 2, "d9": 1},
}


def _log(rank: int) -> float:
    return math.log2(rank + 1)


def test_ranking_hand_computed_at_3() -> None:
    expected = {
        "hit_rate": {"q1": 1.0, "q2": 1.0, "q3": 0.0, "q4": 0.0, "q6": 1.0, "q7": 1.0},
        "recall": {"q1": 2 / 3, "q2": 1.0, "q3": 0.0, "q4": 0.0, "q6": 1.0, "q7": 1.0},
        "mrr": {"q1": 1 / 2, "q2": 1 / 3, "q3": 0.0, "q4": 0.0, "q6": 1.0, "q7": 1.0},
        "precision": {"q1": 2 / 3, "q2": 1 / 3, "q3": 0.0, "q4": 0.0, "q6": 1.0, "q7": 2 / 3},
        "ndcg": {
            "q1": (1 / _log(2) + 2 / _log(3)) / (2 / _log(1) + 1 / _log(2) + 1 / _log(3)),
            "q2": (1 / _log(3)) / 1.0,
            "q3": 0.0,
            "q4": 0.0,
            "q6": 1.0,
            "q7": (1 / _log(1) + 2 / _log(2)) / (2 / _log(1) + 1 / _log(2)),
        },
    }
    for name, metric in RANKING.items():
        result = metric(HAND_RUN, HAND_QRELS, 3)
        assert result.per_case.keys() == expected[name].keys(), name
        for query, value in expected[name].items():
            assert result.per_case[query] == pytest.approx(value, abs=1e-12), (name, query)
        assert result.overall == pytest.approx(np.mean(list(expected[name].values())), abs=1e-12)


def test_ranking_rejects_bad_k_and_empty_is_nan() -> None:
    for metric in RANKING.values():
        for bad_k in (0, -1, 2.5, True):
            with pytest.raises(ValueError):
                metric(HAND_RUN, HAND_QRELS, bad_k)  # type: ignore[arg-type]
        assert math.isnan(metric(HAND_RUN, {}, 5).overall)
        assert metric(HAND_RUN, {"q": {"d": 0}}, 5).per_case == {}


def _random_collection(
    seed: int, queries: int
) -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    rng = np.random.default_rng(seed)
    docs = [f"d{i}" for i in range(40)]
    run: dict[str, list[str]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for q in range(queries):
        query = f"q{q}"
        judged = rng.choice(docs, size=int(rng.integers(1, 8)), replace=False)
        grades = rng.integers(0, 4, size=len(judged))
        grades[0] = max(int(grades[0]), 1)  # at least one relevant doc
        qrels[query] = {str(d): int(g) for d, g in zip(judged, grades, strict=True)}
        length = int(rng.integers(0, 16))
        if length:  # some queries are missing from the run altogether
            run[query] = [str(d) for d in rng.choice(docs, size=length, replace=False)]
    return run, qrels


def _ranx_scores(
    run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, float]]:
    from ranx import Qrels, Run, evaluate

    ranx_run = Run(
        {
            query: {doc: float(len(docs) - rank) for rank, doc in enumerate(dict.fromkeys(docs))}
            for query, docs in run.items()
            if docs
        }
    )
    relevant = {q: dict(j) for q, j in qrels.items() if any(g > 0 for g in j.values())}
    names = [f"{name}@{k}" for name in RANKING for k in KS]
    evaluate(Qrels(relevant), ranx_run, names, make_comparable=True)
    return {name: {q: float(v) for q, v in ranx_run.scores[name].items()} for name in names}


@pytest.fixture(scope="module")
def ranx_reference() -> dict[str, tuple[dict, dict, dict[str, dict[str, float]]]]:
    random_run, random_qrels = _random_collection(seed=20240521, queries=200)
    return {
        "hand": (HAND_RUN, HAND_QRELS, _ranx_scores(HAND_RUN, HAND_QRELS)),
        "random": (random_run, random_qrels, _ranx_scores(random_run, random_qrels)),
    }


@pytest.mark.parametrize("collection", ["hand", "random"])
@pytest.mark.parametrize("name", list(RANKING))
@pytest.mark.parametrize("k", KS)
def test_ranking_agrees_with_ranx(
    ranx_reference: dict[str, tuple[dict, dict, dict[str, dict[str, float]]]],
    collection: str,
    name: str,
    k: int,
) -> None:
    run, qrels, reference = ranx_reference[collection]
    expected = reference[f"{name}@{k}"]
    result = RANKING[name](run, qrels, k)
    assert result.per_case.keys() == expected.keys()
    for query, value in expected.items():
        assert result.per_case[query] == pytest.approx(value, abs=1e-9), query
    assert result.overall == pytest.approx(np.mean(list(expected.values())), abs=1e-9)


rankings = st.dictionaries(
    st.sampled_from([f"q{i}" for i in range(5)]),
    st.lists(st.sampled_from([f"d{i}" for i in range(12)]), max_size=15),
)
judgements = st.dictionaries(
    st.sampled_from([f"q{i}" for i in range(6)]),
    st.dictionaries(st.sampled_from([f"d{i}" for i in range(12)]), st.integers(0, 3), max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(rankings, judgements, st.integers(1, 12))
def test_ranking_properties(
    run: dict[str, list[str]], qrels: dict[str, dict[str, int]], k: int
) -> None:
    evaluated = {q for q, judged in qrels.items() if any(g > 0 for g in judged.values())}
    results = {name: metric(run, qrels, k) for name, metric in RANKING.items()}
    for result in results.values():
        assert set(result.per_case) == evaluated
        assert all(0.0 <= v <= 1.0 + 1e-12 for v in result.per_case.values())
    bigger = {name: metric(run, qrels, k + 1) for name, metric in RANKING.items()}
    for query in evaluated:
        hit = results["hit_rate"].per_case[query]
        assert bigger["hit_rate"].per_case[query] >= hit
        assert bigger["recall"].per_case[query] >= results["recall"].per_case[query]
        assert bigger["mrr"].per_case[query] >= results["mrr"].per_case[query]
        assert results["mrr"].per_case[query] <= hit
        assert results["recall"].per_case[query] <= hit
        assert (results["ndcg"].per_case[query] > 0) == (hit > 0)


@settings(max_examples=100, deadline=None)
@given(judgements, st.integers(1, 12))
def test_ideal_ranking_scores_one(qrels: dict[str, dict[str, int]], k: int) -> None:
    ideal = {q: sorted(judged, key=lambda d: -judged[d]) for q, judged in qrels.items()}
    for query, value in ndcg_at_k(ideal, qrels, k).per_case.items():
        assert value == pytest.approx(1.0), query
    for value in hit_at_k(ideal, qrels, k).per_case.values():
        assert value == 1.0


def test_spans_to_qrels() -> None:
    passages = {
        "p1": Span("a.txt", 0, 10),
        "p2": Span("a.txt", 10, 20),  # touches the evidence end-to-start only: not relevant
        "p3": Span("a.txt", 25, 40),
        "p4": Span("b.txt", 0, 50),  # same offsets, other file
    }
    evidence = [Span("a.txt", 5, 10), Span("a.txt", 30, 31)]
    assert spans_to_qrels(passages, evidence) == {"p1": 1, "p3": 1}
    assert spans_to_qrels(passages, []) == {}


def test_must_contain_coverage() -> None:
    answers = {
        "c1": "He doesn\u2019t  call \u2013\never. [1]",
        "c2": "Nothing here.",
        "c4": "ignored",
    }
    phrases = {
        "c1": ["doesn't call - ever", "HE", "missing phrase"],
        "c2": ["here"],
        "c3": ["anything"],  # no answer: scored as empty
        "c4": [],  # no phrases: absent
    }
    result = must_contain_coverage(answers, phrases)
    assert result.per_case == pytest.approx({"c1": 2 / 3, "c2": 1.0, "c3": 0.0})
    assert result.overall == pytest.approx((2 / 3 + 1.0 + 0.0) / 3)


def test_token_f1() -> None:
    answers = {"c1": "A cat sat on a hat!", "c2": "Don't stop.", "c3": "x", "c5": "The"}
    expected = {
        "c1": "The cat sat on the mat",
        "c2": "dont stop",
        "c3": "",
        "c4": "y z",
        "c5": "an",
    }
    result = token_f1(answers, expected)
    # c1: {cat, sat, on, hat} vs {cat, sat, on, mat}: p = r = 3/4
    # c5: both normalise to no tokens, which SQuAD scores as a match
    assert result.per_case == pytest.approx({"c1": 0.75, "c2": 1.0, "c4": 0.0, "c5": 1.0})
    repeated = token_f1({"c": "a b b b"}, {"c": "b c"})
    # pred [b, b, b] vs gold [b, c]: common 1, p = 1/3, r = 1/2, f1 = 2 * (1/6) / (5/6) = 0.4
    assert repeated.per_case["c"] == pytest.approx(0.4)


words = st.lists(st.sampled_from(["cat", "dog", "the", "a", "mat", "Sat,", "on", "x"]), max_size=8)


@given(words, words)
def test_token_f1_properties(left: list[str], right: list[str]) -> None:
    a, b = " ".join(left), " ".join(right)
    if not b.strip() or not a.strip():
        return
    forward = token_f1({"c": a}, {"c": b}).per_case["c"]
    backward = token_f1({"c": b}, {"c": a}).per_case["c"]
    assert 0.0 <= forward <= 1.0
    assert forward == pytest.approx(backward)
    assert token_f1({"c": b}, {"c": b}).per_case["c"] == 1.0


def test_embedding_similarity() -> None:
    answers = {"c1": [1.0, 0.0], "c2": [1.0, 2.0], "c3": [0.0, 0.0], "c5": [3.0, 4.0]}
    expected = {"c1": [1.0, 1.0], "c2": [-2.0, -4.0], "c3": [1.0, 0.0], "c4": [1.0, 0.0]}
    result = embedding_similarity(answers, expected)
    assert result.per_case == pytest.approx({"c1": 1 / math.sqrt(2), "c2": -1.0, "c3": 0.0})
    with pytest.raises(ValueError):
        embedding_similarity({"c": [1.0, 0.0]}, {"c": [1.0, 0.0, 0.0]})


def test_citation_precision_and_recall() -> None:
    evidence = {
        "c1": [Span("a.txt", 0, 10), Span("a.txt", 50, 60), Span("b.txt", 0, 5)],
        "c2": [Span("a.txt", 0, 10)],
        "c3": [],
    }
    citations = {
        "c1": [
            Span("a.txt", 8, 20),
            Span("a.txt", 20, 50),
            Span("a.txt", 55, 58),
            Span("a.txt", 0, 5),
        ],
        "c3": [Span("a.txt", 0, 10)],  # no evidence: every citation is off
        "c4": [],
    }
    precision = citation_precision(citations, evidence)
    # c1: citations 1, 3, 4 overlap evidence; 2 ends where the second evidence begins
    assert precision.per_case == pytest.approx({"c1": 3 / 4, "c3": 0.0})
    recall = citation_recall(citations, evidence)
    # c1: the b.txt evidence is never cited; c2 has no citations at all
    assert recall.per_case == pytest.approx({"c1": 2 / 3, "c2": 0.0})


def test_split_cited_segments() -> None:
    answer = "One thing. [1] Two, things [12][3]\n Three [2] [2]  [ 4 ] tail"
    assert split_cited_segments(answer) == [
        ("One thing.", (1,)),
        ("Two, things", (12, 3)),
        ("Three", (2,)),
        ("[ 4 ] tail", ()),
    ]
    assert split_cited_segments("[1] Lead in.") == [("Lead in.", ())]
    assert split_cited_segments("   ") == []


segment_text = st.text(alphabet="abc .,;", min_size=1, max_size=12).filter(lambda s: s.strip())


@given(
    st.lists(
        st.tuples(segment_text, st.lists(st.integers(1, 99), min_size=1, max_size=3)), max_size=5
    )
)
def test_split_cited_segments_round_trip(parts: list[tuple[str, list[int]]]) -> None:
    answer = " ".join(f"{text} " + "".join(f"[{n}]" for n in numbers) for text, numbers in parts)
    expected = [(text.strip(), tuple(dict.fromkeys(numbers))) for text, numbers in parts]
    assert split_cited_segments(answer) == expected


def test_groundedness() -> None:
    source = {
        n: (text, ())
        for n, text in {
            1: "Intro. Cats purr softly. More.",
            2: "Dogs bark.",
            3: "Birds sing.",
        }.items()
    }
    answers = {
        "c1": "Cats purr softly. [1] Dogs fly. [2] Birds sing. [1][3] Uncited tail.",
        "c2": "Dogs bark. [7]",  # marker without a cited text
        "c3": "",
        "c4": "Dogs bark. [2]",  # no cited texts supplied for the case
    }
    result = groundedness(answers, {"c1": source, "c2": source})
    assert result.per_case == {"c1": 2 / 4, "c2": 0.0, "c4": 0.0}


def test_groundedness_reads_past_wrapping_and_markup_but_not_past_other_words() -> None:
    quote = "The **default** is\n50, and the\nmaximum is 100."
    markup = [(4, 6), (13, 15)]
    cited = {"c": {1: (quote, markup)}}
    read = "The default is 50, and the maximum is 100."
    assert groundedness({"c": f"{read} [1]"}, cited).per_case == {"c": 1.0}
    changed = "The default is 60, and the maximum is 100."
    assert groundedness({"c": f"{changed} [1]"}, cited).per_case == {"c": 0.0}


def test_markers_inside_a_quote_are_its_own_words_when_the_citations_are_known() -> None:
    answer = "How to use bzip2 [2] describes the command. [1] Install it first. [2]"
    citations = [{"n": 1}, {"n": 2}]
    assert split_cited_segments(answer, citations) == [
        ("How to use bzip2 [2] describes the command.", (1,)),
        ("Install it first.", (2,)),
    ]
    own = "systems[1]. [1]"  # a footnote mark in the quote itself, and the quote's marker
    shown = [{"n": 1, "display": "systems[1]."}]
    assert split_cited_segments(own, shown) == [("systems[1].", (1,))]


def test_answer_length_and_chars() -> None:
    answers = {"c1": "One. [1] Two. [2]", "c2": "  Just text  ", "c3": ""}
    assert answer_length(answers).per_case == {"c1": 2.0, "c2": 1.0}
    assert answer_length(answers).overall == 1.5
    assert answer_chars(answers).per_case == {"c1": 17.0, "c2": 9.0}


def test_abstention_hand_computed() -> None:
    answerable = {"a1": True, "a2": True, "a3": True, "u1": False, "u2": False, "ok": False}
    abstained = {"a1": True, "a2": False, "a3": False, "u1": True, "u2": False, "ok": False}
    result = abstention(abstained, answerable, skip={"ok"})
    assert result.precision == 0.5
    assert result.recall == 0.5
    assert result.f1 == 0.5
    assert result.false_abstention_rate == pytest.approx(1 / 3)
    assert result.per_case == {"a1": 0.0, "a2": 1.0, "a3": 1.0, "u1": 1.0, "u2": 0.0}
    assert result.accuracy == pytest.approx(3 / 5)


def test_abstention_edge_cases() -> None:
    only_answerable = abstention({"a": False, "b": False}, {"a": True, "b": True})
    vacuous = (only_answerable.precision, only_answerable.recall, only_answerable.f1)
    assert vacuous == (1.0, 1.0, 1.0)
    assert only_answerable.false_abstention_rate == 0.0
    never = abstention({"a": False, "u": False}, {"a": True, "u": False})
    assert (never.precision, never.recall, never.f1) == (0.0, 0.0, 0.0)
    always = abstention({"a": True, "u": True}, {"a": True, "u": False})
    assert (always.precision, always.recall, always.false_abstention_rate) == (0.5, 1.0, 1.0)
    assert always.f1 == pytest.approx(2 / 3)
    empty = abstention({}, {})
    assert math.isnan(empty.accuracy) and empty.per_case == {}
    with pytest.raises(ValueError, match="u"):
        abstention({"a": True}, {"a": True, "u": False})


def test_latency_percentiles() -> None:
    stats = latency_percentiles([40.0, 10.0, 30.0, 20.0])
    # sorted 10, 20, 30, 40: p95 sits at index 0.95 * 3 = 2.85, p99 at 2.97
    assert stats == pytest.approx(
        {"p50": 25.0, "p95": 38.5, "p99": 39.7, "mean": 25.0, "max": 40.0}
    )
    assert latency_percentiles([7.0]) == dict.fromkeys(("p50", "p95", "p99", "mean", "max"), 7.0)
    assert all(math.isnan(v) for v in latency_percentiles([]).values())


def test_mean_by_group() -> None:
    per_case = {"a": 1.0, "b": 0.0, "c": math.nan, "d": 0.5, "e": math.nan, "f": 1.0}
    groups = {"a": "fact", "b": "fact", "c": "fact", "d": "why", "e": "list"}
    result = mean_by_group(per_case, groups)
    assert list(result) == ["fact", "list", "why"]
    assert result["fact"] == 0.5 and result["why"] == 0.5
    assert math.isnan(result["list"])


EMPTY_CALLS: list[Callable[[], MetricResult]] = [
    lambda: must_contain_coverage({"c": "x"}, {"c": []}),
    lambda: token_f1({"c": "x"}, {"c": "  "}),
    lambda: embedding_similarity({}, {"c": [1.0]}),
    lambda: citation_precision({"c": []}, {}),
    lambda: citation_recall({}, {"c": []}),
    lambda: groundedness({"c": ""}, {}),
    lambda: answer_length({"c": " "}),
    lambda: answer_chars({}),
    lambda: hit_at_k({"q": ["d"]}, {"q": {"d": 0}}, 3),
]


@pytest.mark.parametrize("call", EMPTY_CALLS)
def test_no_applicable_case_gives_nan(call: Callable[[], MetricResult]) -> None:
    result = call()
    assert result.per_case == {}
    assert math.isnan(result.overall)


scores = st.floats(0.0, 1.0)


@given(
    st.dictionaries(st.text(max_size=3), scores),
    st.dictionaries(st.text(max_size=3), st.sampled_from(["fact", "why"])),
)
def test_mean_by_group_bounded(per_case: dict[str, float], groups: dict[str, str]) -> None:
    for value in mean_by_group(per_case, groups).values():
        assert 0.0 <= value <= 1.0
