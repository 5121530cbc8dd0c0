"""Running a suite in process and over HTTP gives the same scores; evidence ranks by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evaluation.cases.suite import Case, Span, load_suite
from evaluation.runs.runner import (
    CaseResult,
    Corpus,
    corpus_of_index,
    corpus_over_http,
    evidence_run,
    in_process,
    over_http,
    run_cases,
    score,
)
from evaluation.scoring import metrics

LATENCY = {"latency_p50_ms", "latency_p95_ms"}


@pytest.fixture(scope="module")
def cases(subset_suite, settings) -> list[Case]:
    return load_suite(subset_suite, settings.corpus_dir)


@pytest.fixture(scope="module")
def local_run(cases, engine) -> dict:
    results = run_cases(cases, in_process(engine))
    return score(results, corpus_of_index(engine.index), engine.embedder.embed)


@pytest.fixture(scope="module")
def http_run(cases, live_server, embedder) -> dict:
    results = run_cases(cases, over_http(live_server.url))
    return score(results, corpus_over_http(live_server.url), embedder.embed)


def test_subset_covers_every_kind_and_abstention(cases, local_run) -> None:
    kinds = {case.kind for case in cases}
    assert kinds == {"fact", "number", "list", "why", "multi", "unanswerable", "adversarial"}
    counts = local_run["counts"]
    assert counts["cases"] == len(cases) == 9
    assert counts["unanswerable"] == 4  # the adversarial case is unanswerable too
    assert counts["errors"] == 0
    assert set(local_run["by_kind"]) == kinds
    names = set(local_run["metrics"])
    assert {"hit@1", "mrr@10", "must_contain", "similarity", "groundedness"} <= names
    assert {"abstention_f1", "false_abstention_rate", "latency_p95_ms"} <= names
    # extractive answers quote the articles, so whatever is answered is fully grounded
    assert local_run["metrics"]["groundedness"] == 1.0
    for case in local_run["cases"]:
        assert case["latency_ms"] > 0
        if not case["abstained"]:
            assert case["answer"] and case["citations"]


def test_http_gives_the_same_figures_as_in_process(local_run, http_run) -> None:
    strip = lambda figures: {k: v for k, v in figures.items() if k not in LATENCY}  # noqa: E731
    assert strip(http_run["metrics"]) == strip(local_run["metrics"])
    assert http_run["by_kind"] == local_run["by_kind"]
    assert http_run["counts"] == local_run["counts"]
    for here, there in zip(local_run["cases"], http_run["cases"], strict=True):
        assert there["id"] == here["id"]
        assert there["answer"] == here["answer"]
        assert there["citations"] == here["citations"]
        assert there["scores"] == here["scores"]


def test_invalid_question_is_an_error_both_ways(cases, engine, live_server) -> None:
    bad = Case(**{**cases[0].__dict__, "id": "bad", "question": "x" * 201})
    for ask in (in_process(engine), over_http(live_server.url)):
        [result] = run_cases([bad], ask)
        assert result.body is None and result.error
        assert result.abstained and result.answer == ""
    assert "422" in run_cases([bad], over_http(live_server.url))[0].error


# --- evidence_run with hand-made spans ---------------------------------------------------------


def _case(case_id: str, spans: tuple[Span, ...], answerable: bool = True) -> Case:
    return Case(
        id=case_id,
        question="q?",
        answerable=answerable,
        expected_answer="",
        must_contain=(),
        sources=tuple(dict.fromkeys(s.source for s in spans)),
        evidence=tuple("e" for _ in spans),
        kind="fact" if answerable else "unanswerable",
        abstain_ok=False,
        line=1,
        evidence_spans=spans,
    )


def _result(case: Case, passages: list[tuple[str, int, int]] | None) -> CaseResult:
    body = None
    if passages is not None:
        body = {
            "abstained": False,
            "answer": "",
            "citations": [],
            "passages": [{"doc_id": d, "start": s, "end": e} for d, s, e in passages],
        }
    return CaseResult(case, body, 1.0, None if body else "RuntimeError: boom")


CORPUS = Corpus(source_of={"doc-a": "a.txt", "doc-b": "b.txt"}, text_of={})


def _spans(case: Case) -> dict[str, tuple[Span, ...]]:
    return {case.id: case.evidence_spans}


def test_evidence_is_found_in_the_text_the_service_serves() -> None:
    text = "Heading\n\nThe default priority value is 50, and the maximum is\n100. More text."
    corpus = Corpus({"doc-a": "a.txt"}, {"doc-a": text})
    case = replace(
        _case("c", ()),
        sources=("a.txt",),
        evidence=("The default priority value is 50, and the maximum is 100.",),
    )
    [span] = corpus.evidence(case)
    assert text[span.start : span.end] == (
        "The default priority value is 50, and the maximum is\n100."
    )


def test_evidence_run_labels_each_passage_by_the_evidence_it_newly_covers() -> None:
    e0, e1 = Span("a.txt", 10, 20), Span("a.txt", 50, 60)
    case = _case("c1", (e0, e1))
    passages = [
        ("doc-b", 10, 20),  # same offsets, other file: a miss
        ("doc-a", 55, 70),  # covers e1
        ("doc-a", 0, 100),  # covers e0 and e1; e1 is taken, so it stands for e0
        ("doc-a", 12, 14),  # covers e0 again: nothing new
        ("doc-a", 20, 50),  # touches neither (half-open spans)
    ]
    run, qrels = evidence_run([_result(case, passages)], CORPUS, _spans(case))
    assert qrels == {"c1": {"e0": 1, "e1": 1}}
    assert run == {"c1": ["miss0", "e1", "e0", "miss3", "miss4"]}
    assert metrics.hit_at_k(run, qrels, 1).overall == 0.0
    assert metrics.mrr_at_k(run, qrels, 10).overall == 0.5
    assert metrics.recall_at_k(run, qrels, 2).overall == 0.5
    assert metrics.recall_at_k(run, qrels, 3).overall == 1.0


def test_evidence_run_skips_unanswerable_and_counts_errors_as_misses() -> None:
    e0 = Span("b.txt", 0, 5)
    answered = _case("ok", (e0,))
    failed = _case("failed", (e0,))
    unanswerable = _case("none", (), answerable=False)
    results = [
        _result(answered, [("doc-b", 3, 8)]),
        _result(failed, None),
        _result(unanswerable, [("doc-b", 0, 5)]),
    ]
    run, qrels = evidence_run(results, CORPUS, {c.id: c.evidence_spans for c in (answered, failed)})
    assert set(qrels) == {"ok", "failed"}
    assert run == {"ok": ["e0"], "failed": []}
    assert metrics.hit_at_k(run, qrels, 1).per_case == {"ok": 1.0, "failed": 0.0}


def test_evidence_run_falls_back_to_the_doc_id_as_source() -> None:
    case = _case("c", (Span("unknown-doc", 0, 10),))
    run, _ = evidence_run([_result(case, [("unknown-doc", 5, 6)])], CORPUS, _spans(case))
    assert run == {"c": ["e0"]}
