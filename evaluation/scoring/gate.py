"""The evaluation gate: committed thresholds, and deltas against a saved baseline report.

Both work on a report's flat metrics: a suite report's `metrics` (plus its `counts`, so a
threshold may also bound e.g. `errors`), or a BEIR report's per-mode figures as `mode/metric`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

# Metrics where a smaller value is the better one; answer_sentences is neither better nor worse.
LOWER_IS_BETTER = frozenset(
    {"false_abstention_rate", "fragments", "latency_p50_ms", "latency_p95_ms", "errors"}
)
NEUTRAL = frozenset({"answer_sentences"})
LATENCY_TOLERANCE = 0.25  # latency is noisy: only a rise of more than 25% counts as a regression
QUALITY_TOLERANCE = 0.0005  # reports round to 4 decimals


class ThresholdError(ValueError):
    """The thresholds file cannot be used as it is."""


@dataclass(frozen=True)
class Check:
    """One threshold applied to one metric of a run."""

    metric: str
    bound: str  # "min" or "max"
    limit: float
    value: float | None

    @property
    def passed(self) -> bool:
        if self.value is None or math.isnan(self.value):
            return False
        return self.value >= self.limit if self.bound == "min" else self.value <= self.limit

    def describe(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:g}"
        sign = ">=" if self.bound == "min" else "<="
        verdict = "PASS" if self.passed else "FAIL"
        return f"{verdict}  {self.metric} = {shown} (needs {sign} {self.limit:g})"

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "bound": self.bound,
            "limit": self.limit,
            "value": self.value,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class Delta:
    """How one metric moved against the baseline."""

    metric: str
    baseline: float | None
    current: float | None

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline

    @property
    def regressed(self) -> bool:
        change = self.change
        if change is None or self.name in NEUTRAL:
            return self.baseline is not None and self.current is None
        if self.name.startswith("latency"):
            return change > LATENCY_TOLERANCE * max(self.baseline or 0.0, 1e-9)
        if self.name in LOWER_IS_BETTER:
            return change > QUALITY_TOLERANCE
        return change < -QUALITY_TOLERANCE

    @property
    def improved(self) -> bool:
        change = self.change
        if change is None or self.name in NEUTRAL or self.name.startswith("latency"):
            return False
        if self.name in LOWER_IS_BETTER:
            return change < -QUALITY_TOLERANCE
        return change > QUALITY_TOLERANCE

    @property
    def name(self) -> str:
        """The metric's own name, without a BEIR mode prefix ("bm25/ndcg@10" -> "ndcg@10")."""
        return self.metric.rsplit("/", 1)[-1]

    @property
    def mark(self) -> str:
        return "REGRESSED" if self.regressed else "improved" if self.improved else ""

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "baseline": self.baseline,
            "current": self.current,
            "change": None if self.change is None else round(self.change, 4),
            "regressed": self.regressed,
        }


def flat_metrics(report: dict, *, counts: bool = True) -> dict[str, float | None]:
    """The figures a gate or a baseline comparison looks at, by name (with `counts`, a suite
    report's counts too, e.g. `errors`, unless a metric has the same name)."""
    if "modes" in report:  # a BEIR report: {"modes": {mode: {metric: value}}}
        return {
            f"{mode}/{name}": value
            for mode, figures in report["modes"].items()
            for name, value in figures.items()
        }
    flat: dict[str, float | None] = dict(report.get("metrics", {}))
    for name, value in report.get("counts", {}).items():
        if counts or name == "errors":
            flat.setdefault(name, value)
    return flat


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    """{"metric": {"min": x} | {"max": y} | both}; anything else is rejected with the reason."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ThresholdError(f"cannot read thresholds {path} ({error.strerror})") from error
    except json.JSONDecodeError as error:
        raise ThresholdError(
            f"{path}: invalid JSON ({error.msg} at line {error.lineno})"
        ) from error
    if not isinstance(raw, dict):
        raise ThresholdError(f"{path}: expected an object of metric -> {{min|max: number}}")
    thresholds: dict[str, dict[str, float]] = {}
    for metric, bounds in raw.items():
        if metric.startswith("_"):  # "_comment" and the like
            continue
        if (
            not isinstance(bounds, dict)
            or not bounds
            or not set(bounds) <= {"min", "max"}
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in bounds.values()
            )
        ):
            raise ThresholdError(
                f'{path}: threshold for {metric!r} must be {{"min": number}} and/or '
                f'{{"max": number}}, got {bounds!r}'
            )
        thresholds[metric] = {bound: float(value) for bound, value in bounds.items()}
    return thresholds


def check_thresholds(report: dict, thresholds: dict[str, dict[str, float]]) -> list[Check]:
    """Every bound applied to the report; a metric the run lacks fails its bound."""
    figures = flat_metrics(report)
    return [
        Check(metric, bound, limit, figures.get(metric))
        for metric, bounds in thresholds.items()
        for bound, limit in sorted(bounds.items(), reverse=True)  # min before max
    ]


def compare(report: dict, baseline: dict) -> list[Delta]:
    """Deltas for every metric of either run, in the current report's order."""
    now = flat_metrics(report, counts=False)
    before = flat_metrics(baseline, counts=False)
    names = list(now) + [name for name in before if name not in now]
    return [Delta(name, before.get(name), now.get(name)) for name in names]


def case_changes(report: dict, baseline: dict) -> list[dict]:
    """Cases whose abstention decision or must_contain coverage got worse since the baseline."""
    before = {c["id"]: c for c in baseline.get("cases", [])}
    worse = []
    for case in report.get("cases", []):
        old = before.get(case["id"])
        if old is None:
            continue
        reasons = []
        was, now = old["scores"].get("abstention_correct"), case["scores"].get("abstention_correct")
        if was == 1.0 and now == 0.0:
            reasons.append("abstention now wrong")
        was, now = old["scores"].get("must_contain"), case["scores"].get("must_contain")
        if was is not None and now is not None and now < was:
            reasons.append(f"must_contain {was:g} -> {now:g}")
        if reasons:
            worse.append(
                {"id": case["id"], "question": case["question"], "why": "; ".join(reasons)}
            )
    return worse


def load_report(path: Path) -> dict:
    """A JSON report written by an earlier `rag eval` run."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read baseline {path} ({error.strerror})") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"baseline {path} is not JSON ({error.msg})") from error
    if not isinstance(report, dict) or not ("metrics" in report or "modes" in report):
        raise ValueError(f"baseline {path} is not a report written by `rag eval`")
    return report
