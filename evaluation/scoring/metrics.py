"""Pure evaluation metrics: retrieval ranking, abstention, latency (answers and citations are
in evaluation/scoring/answer_metrics.py).

Conventions shared by every metric returning a MetricResult:
- per_case holds only the cases the metric applies to; overall is the plain mean of per_case,
  and math.nan when no case applies (reports show it as "n/a").
- Answer metrics are keyed by the reference mapping (phrases, expected answers, evidence); a
  case missing from the system output is scored as if the system had produced nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from evaluation.cases.suite import Span

Run = Mapping[str, Sequence[str]]
Qrels = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class MetricResult:
    """A metric's mean over the cases it applies to, and its value for each of those cases."""

    overall: float
    per_case: dict[str, float]


@dataclass(frozen=True)
class AbstentionResult:
    """How well the system abstains on unanswerable cases ("positive" = abstaining)."""

    precision: float
    recall: float
    f1: float
    false_abstention_rate: float
    accuracy: float
    per_case: dict[str, float]


def mean_of(per_case: Mapping[str, float]) -> float:
    """Mean of the per-case values; math.nan when there are none."""
    return math.fsum(per_case.values()) / len(per_case) if per_case else math.nan


def result_of(per_case: dict[str, float]) -> MetricResult:
    return MetricResult(overall=mean_of(per_case), per_case=per_case)


# --- ranking -----------------------------------------------------------------------------------


def _top_k(ranking: Sequence[str], k: int) -> list[str]:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return list(dict.fromkeys(ranking))[:k]


def _ranked(run: Run, qrels: Qrels, k: int) -> dict[str, tuple[list[str], dict[str, int]]]:
    """Top-k distinct ids and positive grades for each qrels query with a relevant doc."""
    prepared: dict[str, tuple[list[str], dict[str, int]]] = {}
    for query, judged in qrels.items():
        relevant = {doc: grade for doc, grade in judged.items() if grade > 0}
        if relevant:
            prepared[query] = (_top_k(run.get(query, ()), k), relevant)
    if not prepared:
        _top_k((), k)  # still reject a bad k when there is nothing to evaluate
    return prepared


def _per_query(
    run: Run, qrels: Qrels, k: int, score: Callable[[list[str], dict[str, int]], float]
) -> MetricResult:
    return result_of(
        {query: score(top, rel) for query, (top, rel) in _ranked(run, qrels, k).items()}
    )


def hit_at_k(run: Run, qrels: Qrels, k: int) -> MetricResult:
    """Whether any relevant id is in the top k: did retrieval find something usable at all."""
    return _per_query(run, qrels, k, lambda top, rel: float(any(doc in rel for doc in top)))


def recall_at_k(run: Run, qrels: Qrels, k: int) -> MetricResult:
    """Share of a query's relevant ids found in the top k: how complete the evidence is."""
    return _per_query(run, qrels, k, lambda top, rel: sum(doc in rel for doc in top) / len(rel))


def precision_at_k(run: Run, qrels: Qrels, k: int) -> MetricResult:
    """Relevant ids in the top k divided by k: how much of the context is on topic."""
    return _per_query(run, qrels, k, lambda top, rel: sum(doc in rel for doc in top) / k)


def mrr_at_k(run: Run, qrels: Qrels, k: int) -> MetricResult:
    """Reciprocal rank of the first relevant id in the top k (0 if none): how early it comes."""
    return _per_query(
        run,
        qrels,
        k,
        lambda top, rel: next((1.0 / r for r, doc in enumerate(top, 1) if doc in rel), 0.0),
    )


def _dcg(grades: Sequence[int]) -> float:
    return math.fsum(grade / math.log2(rank + 1) for rank, grade in enumerate(grades, 1))


def ndcg_at_k(run: Run, qrels: Qrels, k: int) -> MetricResult:
    """Graded nDCG@k, gain = grade and discount log2(rank + 1), as ranx ndcg and trec ndcg_cut."""
    return _per_query(
        run,
        qrels,
        k,
        lambda top, rel: (
            _dcg([rel.get(doc, 0) for doc in top]) / _dcg(sorted(rel.values(), reverse=True)[:k])
        ),
    )


def spans_to_qrels(passages: Mapping[str, Span], evidence: Sequence[Span]) -> dict[str, int]:
    """Qrels for one case: grade 1 for each passage overlapping an evidence span; others omitted."""
    return {
        passage: 1
        for passage, span in passages.items()
        if any(span.overlaps(target) for target in evidence)
    }


# --- abstention, latency, grouping -------------------------------------------------------------


def abstention(
    abstained: Mapping[str, bool],
    answerable: Mapping[str, bool],
    skip: Collection[str] = frozenset(),
) -> AbstentionResult:
    """Precision/recall/F1 of abstaining on unanswerable cases, and false abstentions.

    Cases are those of `answerable` minus `skip` (e.g. abstain_ok cases); each needs a decision
    in `abstained`. Vacuous cases: precision is 1.0 when nothing was abstained on and there is
    no unanswerable case, else 0.0; recall is 1.0 with no unanswerable case; f1 is 0.0 when
    precision + recall is 0; false_abstention_rate is 0.0 with no answerable case; accuracy
    (mean of per_case) is math.nan with no case at all.
    """
    cases = [case for case in answerable if case not in skip]
    missing = [case for case in cases if case not in abstained]
    if missing:
        raise ValueError(f"no abstention decision for cases: {', '.join(missing)}")
    positives = [case for case in cases if not answerable[case]]
    negatives = [case for case in cases if answerable[case]]
    true_pos = sum(bool(abstained[case]) for case in positives)
    false_pos = sum(bool(abstained[case]) for case in negatives)
    if true_pos + false_pos:
        precision = true_pos / (true_pos + false_pos)
    else:
        precision = 0.0 if positives else 1.0
    recall = true_pos / len(positives) if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_case = {case: float(bool(abstained[case]) != answerable[case]) for case in cases}
    return AbstentionResult(
        precision=precision,
        recall=recall,
        f1=f1,
        false_abstention_rate=false_pos / len(negatives) if negatives else 0.0,
        accuracy=mean_of(per_case),
        per_case=per_case,
    )


def latency_percentiles(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (linear interpolation), mean and max of latencies; all NaN when empty."""
    keys = ("p50", "p95", "p99", "mean", "max")
    if len(ms) == 0:
        return dict.fromkeys(keys, math.nan)
    values = np.asarray(ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(values, [50, 95, 99], method="linear")
    stats = (p50, p95, p99, values.mean(), values.max())
    return {key: float(value) for key, value in zip(keys, stats, strict=True)}


def mean_by_group(per_case: Mapping[str, float], group_of: Mapping[str, str]) -> dict[str, float]:
    """Mean per group (e.g. per kind), skipping NaN values and cases with no group.

    A group whose cases are all NaN maps to math.nan; groups are returned in sorted order.
    """
    values: dict[str, list[float]] = {}
    for case, value in per_case.items():
        if case in group_of:
            bucket = values.setdefault(group_of[case], [])
            if not math.isnan(value):
                bucket.append(value)
    return {
        group: math.fsum(vs) / len(vs) if vs else math.nan for group, vs in sorted(values.items())
    }
