"""Several suites' scored cases pooled into one row: per-case means, and abstention recomputed
over every decision."""

from __future__ import annotations

import math
from collections.abc import Sequence

from evaluation.scoring import metrics

PER_CASE = ("hit@1", "hit@5", "mrr@10", "must_contain", "citation_precision",
            "answer_sentences", "groundedness", "fragments")  # fmt: skip


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 4)


def pooled(
    reports: Sequence[tuple[str, dict]], style: str | None = None
) -> dict[str, float | None]:
    """Every case of several suites (or those of one question style) as one suite: per-case
    means, and abstention recomputed over all decisions (case ids are prefixed with their
    suite, so they cannot collide)."""
    values: dict[str, list[float]] = {name: [] for name in PER_CASE}
    abstained: dict[str, bool] = {}
    answerable: dict[str, bool] = {}
    skip: set[str] = set()
    for suite, report in reports:
        for case in report["cases"]:
            if style is not None and case.get("style") != style:
                continue
            key = f"{suite}/{case['id']}"
            for name in PER_CASE:
                value = case["scores"].get(name)
                if value is not None:
                    values[name].append(value)
            abstained[key], answerable[key] = case["abstained"], case["answerable"]
            if case["scores"].get("abstention_correct") is None:
                skip.add(key)  # abstain_ok: either decision is right
    decisions = metrics.abstention(abstained, answerable, skip)
    figures = {name: _clean(math.fsum(v) / len(v)) if v else None for name, v in values.items()}
    return figures | {
        "abstention_precision": _clean(decisions.precision),
        "abstention_recall": _clean(decisions.recall),
        "abstention_f1": _clean(decisions.f1),
        "false_abstention_rate": _clean(decisions.false_abstention_rate),
        "cases": len(answerable),
    }
