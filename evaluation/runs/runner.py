"""Running a suite through the system (in process or over HTTP) and scoring what came back.

Both ways produce the same `/ask` JSON body per question, so the scores cannot depend on
how the system was reached.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

import numpy as np

from evaluation.cases.locate import locate
from evaluation.cases.suite import Case, Span
from evaluation.scoring import answer_metrics, metrics

EVAL_TOP_K = 10  # passages asked for per question: enough for MRR@10 and nDCG@10
RETRIEVAL_KS = (1, 3, 5, 10)


@dataclass(frozen=True)
class CaseResult:
    """What the system returned for one case (the /ask body), or the error it raised."""

    case: Case
    body: dict | None
    latency_ms: float
    error: str | None = None

    @property
    def abstained(self) -> bool:
        return bool(self.body["abstained"]) if self.body else True

    @property
    def answer(self) -> str:
        return "" if self.body is None or self.body["abstained"] else self.body["answer"]


@dataclass(frozen=True)
class Corpus:
    """What scoring needs of the documents: doc_id -> source file name, citable text and the
    inline markup in it (Markdown's, where the service says)."""

    source_of: Mapping[str, str]
    text_of: Mapping[str, str] = field(repr=False)
    markup_of: Mapping[str, Sequence[tuple[int, int]]] = field(default_factory=dict, repr=False)

    def evidence(self, case: Case) -> list[Span]:
        """The case's evidence snippets as spans of the texts this corpus serves (which may be
        composed by another version of the readers than the suite was checked against)."""
        ids = {source: doc_id for doc_id, source in self.source_of.items()}
        spans = []
        for snippet in case.evidence:
            for source in case.sources:
                doc_id = ids.get(source)
                if doc_id is None:
                    continue
                where = locate(snippet, self.text_of[doc_id], self.markup_of.get(doc_id, ()))
                if where is not None:
                    spans.append(Span(source, *where))
        return spans


Ask = Callable[..., dict]  # (question, top_k, history=()) -> the /ask body


def in_process(engine) -> Ask:
    """Ask the engine directly, validated and rendered exactly as the HTTP API does it."""
    from service.question.validation import check_question
    from service.render import ask_body

    def ask(question: str, top_k: int, history: Sequence[str] = ()) -> dict:
        return ask_body(engine.ask(check_question(question), top_k, None, history))

    return ask


def check_base_url(url: str) -> str:
    """A base URL we can talk to: http(s) with a host; trailing slash removed."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError(f"--url must look like http://127.0.0.1:8000, got {url!r}")
    return url.rstrip("/")


def over_http(url: str, *, timeout: float = 60.0, api_key: str | None = None) -> Ask:
    """Ask a running service; non-200 answers become errors naming the status and message."""
    import httpx

    base = check_base_url(url)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    client = httpx.Client(base_url=base, timeout=timeout, headers=headers)

    def ask(question: str, top_k: int, history: Sequence[str] = ()) -> dict:
        body = {"question": question, "top_k": top_k} | (
            {"history": list(history)} if history else {}
        )
        response = client.post("/ask", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response.json()

    return ask


def corpus_over_http(url: str, *, api_key: str | None = None) -> Corpus:
    """The documents as the service serves them (so offsets are checked against its text)."""
    import httpx

    base = check_base_url(url)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
        listing = client.get("/documents").raise_for_status().json()
        bodies = {d["doc_id"]: client.get(f"/documents/{d['doc_id']}").json() for d in listing}
    return Corpus(
        {d["doc_id"]: d["source"] for d in listing},
        {doc_id: body["text"] for doc_id, body in bodies.items()},
        {doc_id: [tuple(s) for s in body.get("markup", ())] for doc_id, body in bodies.items()},
    )


def corpus_of_index(index) -> Corpus:
    documents = index.documents.values()
    return Corpus(
        {d.doc_id: d.source for d in documents},
        {d.doc_id: d.text for d in documents},
        {d.doc_id: d.markup for d in documents},
    )


def run_cases(
    cases: Sequence[Case],
    ask: Ask,
    *,
    top_k: int = EVAL_TOP_K,
    progress: Callable[[int, int], None] | None = None,
) -> list[CaseResult]:
    """Ask every question once, timing each; an exception is recorded, not raised."""
    results = []
    for number, case in enumerate(cases, start=1):
        started = time.perf_counter()
        try:
            body, error = ask(case.question, top_k, case.history), None
        except Exception as exc:  # a failing case is a result, not the end of the run
            body, error = None, f"{type(exc).__name__}: {exc}"
        results.append(CaseResult(case, body, (time.perf_counter() - started) * 1000, error))
        if progress:
            progress(number, len(cases))
    return results


def _span(item: dict, corpus: Corpus) -> Span:
    return Span(corpus.source_of.get(item["doc_id"], item["doc_id"]), item["start"], item["end"])


def evidence_run(
    results: Sequence[CaseResult], corpus: Corpus, evidence: Mapping[str, Sequence[Span]]
) -> tuple[dict, dict]:
    """Run and qrels over evidence spans: each passage stands for the first evidence span it
    newly covers, so ranking metrics measure how early each piece of evidence is reached."""
    run: dict[str, list[str]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for result in results:
        case = result.case
        spans = evidence.get(case.id, ())
        if not case.answerable or not spans:
            continue
        qrels[case.id] = {f"e{i}": 1 for i in range(len(spans))}
        covered: set[int] = set()
        ranking = []
        for rank, passage in enumerate((result.body or {}).get("passages", [])):
            span = _span(passage, corpus)
            new = [i for i, e in enumerate(spans) if i not in covered and span.overlaps(e)]
            if new:
                covered.add(new[0])
                ranking.append(f"e{new[0]}")
            else:
                ranking.append(f"miss{rank}")
        run[case.id] = ranking
    return run, qrels


def _cited(citation: dict, corpus: Corpus) -> tuple[str, list[tuple[int, int]]]:
    """A citation's quote as the corpus serves it, with its markup relative to the quote."""
    doc_id, start, end = citation["doc_id"], citation["start"], citation["end"]
    markup = [
        (max(a, start) - start, min(b, end) - start)
        for a, b in corpus.markup_of.get(doc_id, ())
        if a < end and b > start
    ]
    return corpus.text_of.get(doc_id, "")[start:end], markup


def _clean(value: float) -> float | None:
    return (
        None
        if value is None or (isinstance(value, float) and math.isnan(value))
        else round(value, 4)
    )


def _by_group(
    per_metric: dict[str, metrics.MetricResult],
    abstention: metrics.AbstentionResult,
    group_of: dict[str, str],
) -> dict[str, dict[str, float | None]]:
    """The main figures per group of cases (their kind, or the style of their question)."""
    groups: dict[str, dict[str, float | None]] = {}
    for name in ("hit@1", "hit@5", "mrr@10", "must_contain", "citation_precision", "groundedness"):
        for group, value in metrics.mean_by_group(per_metric[name].per_case, group_of).items():
            groups.setdefault(group, {})[name] = _clean(value)
    for group, value in metrics.mean_by_group(abstention.per_case, group_of).items():
        groups.setdefault(group, {})["abstention_correct"] = _clean(value)
    return dict(sorted(groups.items()))


def score(
    results: Sequence[CaseResult],
    corpus: Corpus,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> dict:
    """Every metric overall, per kind and per case, as plain JSON-ready data."""
    answerable = [r for r in results if r.case.answerable]
    answered = [r for r in answerable if not r.abstained]
    located = {r.case.id: corpus.evidence(r.case) for r in answerable}
    run, qrels = evidence_run(results, corpus, located)
    per_metric: dict[str, metrics.MetricResult] = {}
    for k in RETRIEVAL_KS:
        per_metric[f"hit@{k}"] = metrics.hit_at_k(run, qrels, k)
    per_metric["recall@5"] = metrics.recall_at_k(run, qrels, 5)
    per_metric["recall@10"] = metrics.recall_at_k(run, qrels, 10)
    per_metric["mrr@10"] = metrics.mrr_at_k(run, qrels, 10)
    per_metric["ndcg@10"] = metrics.ndcg_at_k(run, qrels, 10)

    answers = {r.case.id: r.answer for r in answerable}
    phrases = {r.case.id: r.case.must_contain for r in answerable if r.case.must_contain}
    expected = {r.case.id: r.case.expected_answer for r in answerable if r.case.expected_answer}
    cited = {r.case.id: r.body["citations"] for r in answered}
    plain = {
        cid: answer_metrics.split_cited_segments(a, cited.get(cid)) for cid, a in answers.items()
    }
    plain_text = {cid: " ".join(seg for seg, _ in segs) for cid, segs in plain.items()}
    per_metric["must_contain"] = answer_metrics.must_contain_coverage(answers, phrases)
    per_metric["token_f1"] = answer_metrics.token_f1(plain_text, expected)
    if embed is not None and expected:
        ids = sorted(expected)
        vectors = embed([plain_text[i] or " " for i in ids] + [expected[i] for i in ids])
        half = len(ids)
        per_metric["similarity"] = answer_metrics.embedding_similarity(
            dict(zip(ids, vectors[:half], strict=True)), dict(zip(ids, vectors[half:], strict=True))
        )
    citations = {r.case.id: [_span(c, corpus) for c in r.body["citations"]] for r in answered}
    evidence = {r.case.id: located[r.case.id] for r in answered if located[r.case.id]}
    per_metric["citation_precision"] = answer_metrics.citation_precision(citations, evidence)
    per_metric["citation_recall"] = answer_metrics.citation_recall(citations, evidence)
    cited_text = {
        r.case.id: {c["n"]: _cited(c, corpus) for c in r.body["citations"]} for r in answered
    }
    per_metric["groundedness"] = answer_metrics.groundedness(
        {r.case.id: r.answer for r in answered}, cited_text, cited
    )
    per_metric["fragments"] = answer_metrics.fragment_rate(cited)
    per_metric["answer_sentences"] = answer_metrics.answer_length(
        {r.case.id: r.answer for r in answered}, cited
    )

    decided = [r for r in results if not r.case.abstain_ok]
    abstention = metrics.abstention(
        {r.case.id: r.abstained for r in decided}, {r.case.id: r.case.answerable for r in decided}
    )
    latency = metrics.latency_percentiles([r.latency_ms for r in results])
    by_kind = _by_group(per_metric, abstention, {r.case.id: r.case.kind for r in results})
    by_style = _by_group(per_metric, abstention, {r.case.id: r.case.style for r in results})
    return {
        "counts": {
            "cases": len(results),
            "answerable": len(answerable),
            "unanswerable": len(results) - len(answerable),
            "answered": len(answered),
            "errors": sum(1 for r in results if r.error),
        },
        "metrics": {name: _clean(m.overall) for name, m in per_metric.items()}
        | {
            "abstention_precision": _clean(abstention.precision),
            "abstention_recall": _clean(abstention.recall),
            "abstention_f1": _clean(abstention.f1),
            "false_abstention_rate": _clean(abstention.false_abstention_rate),
            "latency_p50_ms": _clean(latency["p50"]),
            "latency_p95_ms": _clean(latency["p95"]),
        },
        "by_kind": by_kind,
        "by_style": by_style,
        "cases": [
            {
                "id": r.case.id,
                "kind": r.case.kind,
                "style": r.case.style,
                "question": r.case.question,
                "answerable": r.case.answerable,
                "abstained": r.abstained,
                "confidence": (r.body or {}).get("confidence"),
                "answer": (r.body or {}).get("answer"),
                "citations": (r.body or {}).get("citations", []),
                "evidence_signals": (r.body or {}).get("evidence", {}),
                "latency_ms": round(r.latency_ms, 2),
                "error": r.error,
                "scores": {
                    name: _clean(m.per_case[r.case.id])
                    for name, m in per_metric.items()
                    if r.case.id in m.per_case
                }
                | {"abstention_correct": abstention.per_case.get(r.case.id)},
            }
            for r in results
        ],
    }
