"""What a suite run leaves behind: report.json, summary.md and plot.png, and the printed tables.

The report is the scored run (evaluation.runs.runner.score) wrapped with where it came from: the
suite, the git commit, the target (in process or a URL), the configuration and the index.
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Sequence
from pathlib import Path

from evaluation.runs.plot import kind_counts, write_plot
from evaluation.scoring.gate import Check, Delta

PROJECT_ROOT = Path(__file__).resolve().parents[2]

METRIC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "retrieval",
        ("hit@1", "hit@3", "hit@5", "hit@10", "recall@5", "recall@10", "mrr@10", "ndcg@10"),
    ),
    ("answers", ("must_contain", "token_f1", "similarity", "answer_sentences")),
    ("citations", ("citation_precision", "citation_recall", "groundedness", "fragments")),
    (
        "abstention",
        ("abstention_precision", "abstention_recall", "abstention_f1", "false_abstention_rate"),
    ),
    ("latency", ("latency_p50_ms", "latency_p95_ms")),
)
KIND_COLUMNS = (
    "hit@1",
    "hit@5",
    "mrr@10",
    "must_contain",
    "citation_precision",
    "groundedness",
    "abstention_correct",
)
PLOT_METRICS = ("hit@1", "must_contain", "abstention_correct")
WORST_SHOWN = 10


# --- provenance -------------------------------------------------------------------------------


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """HEAD of the checkout holding `root`, with "-dirty" when tracked files have changed;
    None outside a git checkout (or without git). Never takes git's index lock."""
    base = ["git", "--no-optional-locks", "-C", str(root)]
    try:
        head = subprocess.run(
            [*base, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=20, check=False
        )
        if head.returncode != 0:
            return None
        status = subprocess.run(
            [*base, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = head.stdout.strip()
    return f"{commit}-dirty" if status.returncode == 0 and status.stdout.strip() else commit


# --- formatting -------------------------------------------------------------------------------


def fmt(value: object, metric: str = "") -> str:
    """A figure as shown in tables: 3 decimals, latency in whole ms, None/NaN as n/a."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if metric.startswith("latency") or metric.endswith("_ms"):
        return f"{value:.0f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def fmt_change(delta: Delta) -> str:
    if delta.change is None:
        return "n/a"
    if delta.name.startswith("latency"):
        return f"{delta.change:+.0f}"
    if isinstance(delta.baseline, int) and isinstance(delta.current, int):
        return f"{delta.change:+d}"
    return f"{delta.change:+.3f}"


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    indent: str = "  ",
    left: Sequence[int] = (0,),
) -> str:
    """Left-aligned text columns (`left`), right-aligned figures, two spaces between columns."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).ljust(w) if i in left or i - len(widths) in left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return (indent + "  ".join(parts)).rstrip()

    rule = (indent + "  ".join("-" * w for w in widths)).rstrip()
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], left: Sequence[int] = (0,)
) -> str:
    aligns = [
        "---" if i in left or i - len(headers) in left else "---:" for i in range(len(headers))
    ]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(aligns) + " |"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def kind_rows(report: dict) -> list[list[str]]:
    counts = kind_counts(report)
    return [
        [kind, str(counts.get(kind, 0)), *(fmt(values.get(col)) for col in KIND_COLUMNS)]
        for kind, values in report["by_kind"].items()
    ]


def worst_cases(report: dict, limit: int = WORST_SHOWN) -> list[dict]:
    """Errored cases, then wrong abstentions, then the lowest must_contain coverage."""
    found = []
    for case in report["cases"]:
        scores = case["scores"]
        reasons, order = [], 3.0
        if case["error"]:
            reasons.append(f"error: {case['error']}")
            order = 0.0
        if scores.get("abstention_correct") == 0.0:
            reasons.append("abstained" if case["abstained"] else "answered an unanswerable")
            order = min(order, 1.0)
        coverage = scores.get("must_contain")
        if coverage is not None and coverage < 1.0 and not case["abstained"]:
            reasons.append(f"must_contain {coverage:.2f}")
            order = min(order, 2.0 + coverage / 2)
        if reasons:
            found.append({**case, "why": "; ".join(reasons), "_order": order})
    found.sort(key=lambda c: c["_order"])
    return [{k: v for k, v in c.items() if k != "_order"} for c in found[:limit]]


def _shorten(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _overall_lines(metrics: dict, width: int = 76) -> list[str]:
    lines = []
    for group, names in METRIC_GROUPS:
        label, cells = group, []
        for name in (n for n in names if n in metrics):
            cell = f"{name} {fmt(metrics[name], name)}"
            if cells and len(" · ".join([*cells, cell])) > width:
                lines.append(f"  {label:<11}{' · '.join(cells)}")
                label, cells = "", []
            cells.append(cell)
        if cells:
            lines.append(f"  {label:<11}{' · '.join(cells)}")
    return lines


def render_text(
    report: dict,
    checks: Sequence[Check] = (),
    deltas: Sequence[Delta] = (),
    worse_cases: Sequence[dict] = (),
) -> str:
    """What `rag eval` prints: overall, per kind, worst cases, gate and baseline deltas."""
    counts = report["counts"]
    out = [
        f"Suite {report['suite']} · {report['target']} · top_k {report['config']['top_k']} · "
        f"commit {report['git_commit'] or 'n/a'}",
        "",
        f"Overall ({counts['cases']} cases: {counts['answerable']} answerable, "
        f"{counts['unanswerable']} unanswerable, {counts['answered']} answered, "
        f"{counts['errors']} errors)",
        *_overall_lines(report["metrics"]),
        "",
        "Per kind",
        text_table(["kind", "n", *KIND_COLUMNS], kind_rows(report)),
    ]
    worst = worst_cases(report)
    if worst:
        out += ["", f"Worst cases ({len(worst)} shown)"]
        out += [
            f"  {c['id']} [{c['kind']}] {c['why']}\n      {_shorten(c['question'])}" for c in worst
        ]
    if deltas:
        moved = [d for d in deltas if d.change != 0 or d.regressed]
        same = len(deltas) - len(moved)
        out += ["", f"Against the baseline ({same} of {len(deltas)} figures unchanged)"]
        if moved:
            out.append(render_deltas_text(moved))
        if worse_cases:
            out += [f"  case {c['id']}: {c['why']}" for c in worse_cases]
    if checks:
        failed = sum(not c.passed for c in checks)
        out += ["", f"Thresholds: {len(checks) - failed} passed, {failed} failed"]
        out += [f"  {c.describe()}" for c in checks]
    return "\n".join(out)


def render_deltas_text(deltas: Sequence[Delta]) -> str:
    rows = [
        [d.metric, fmt(d.baseline, d.metric), fmt(d.current, d.metric), fmt_change(d), d.mark]
        for d in deltas
    ]
    return text_table(["metric", "baseline", "now", "change", ""], rows)


def render_markdown(
    report: dict,
    checks: Sequence[Check] = (),
    deltas: Sequence[Delta] = (),
    worse_cases: Sequence[dict] = (),
) -> str:
    """summary.md: the same tables as the terminal, plus configuration and the index."""
    counts, config = report["counts"], report["config"]
    chunking = config.get("chunking") or {}
    index = report.get("index") or {}
    lines = [
        f"# Evaluation of `{report['suite']}`",
        "",
        f"- started: {report['started_at']} ({report.get('duration_s', 'n/a')} s)",
        f"- target: {report['target']}",
        f"- git commit: `{report['git_commit'] or 'n/a'}`",
        f"- retrieval mode: {config.get('retrieval_mode')}, top_k {config.get('top_k')}, "
        f"chunking {chunking.get('chunk_size')}/{chunking.get('chunk_overlap')} (size/overlap)",
        f"- model: {(config.get('model') or {}).get('name')} "
        f"(fingerprint {(config.get('model') or {}).get('fingerprint')})",
        f"- index: {index.get('build_id') or index.get('index_version') or 'n/a'}",
        f"- cases: {counts['cases']} ({counts['answerable']} answerable, "
        f"{counts['unanswerable']} unanswerable, {counts['answered']} answered, "
        f"{counts['errors']} errors)",
        "",
        "## Overall",
        "",
    ]
    limits = {c.metric: c for c in checks}
    rows = []
    for group, names in METRIC_GROUPS:
        for name in names:
            if name in report["metrics"]:
                check = limits.get(name)
                gate = "" if check is None else check.describe().split(" (needs ")[0][:4]
                if check is not None:
                    gate += f" ({'>=' if check.bound == 'min' else '<='} {check.limit:g})"
                rows.append([group, name, fmt(report["metrics"][name], name), gate])
    lines += [markdown_table(["group", "metric", "value", "gate"], rows, left=(0, 1, 3)), ""]
    lines += ["## Per kind", "", markdown_table(["kind", "n", *KIND_COLUMNS], kind_rows(report))]
    worst = worst_cases(report)
    if worst:
        lines += ["", "## Worst cases", ""]
        lines += [
            markdown_table(
                ["id", "kind", "why", "question"],
                [[c["id"], c["kind"], c["why"], _shorten(c["question"], 100)] for c in worst],
            )
        ]
    if checks:
        failed = sum(not c.passed for c in checks)
        lines += ["", f"## Thresholds: {len(checks) - failed} passed, {failed} failed", ""]
        lines += [f"- {c.describe()}" for c in checks]
    if deltas:
        lines += ["", "## Against the baseline", ""]
        lines += [
            markdown_table(
                ["metric", "baseline", "now", "change", ""],
                [
                    [
                        d.metric,
                        fmt(d.baseline, d.metric),
                        fmt(d.current, d.metric),
                        fmt_change(d),
                        d.mark,
                    ]
                    for d in deltas
                ],
            )
        ]
        lines += [f"- case `{c['id']}`: {c['why']}" for c in worse_cases]
    return "\n".join(lines) + "\n"


def write_json(report: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    return path


def write_outputs(
    report: dict,
    out_dir: Path,
    checks: Sequence[Check] = (),
    deltas: Sequence[Delta] = (),
    worse_cases: Sequence[dict] = (),
) -> dict[str, Path]:
    """report.json, summary.md and plot.png in `out_dir` (created); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    full = report | {
        "gate": [c.as_dict() for c in checks],
        "baseline_deltas": [d.as_dict() for d in deltas],
    }
    paths = {
        "report": write_json(full, out_dir / "report.json"),
        "summary": out_dir / "summary.md",
        "plot": write_plot(report, out_dir / "plot.png", PLOT_METRICS),
    }
    paths["summary"].write_text(
        render_markdown(report, checks, deltas, worse_cases), encoding="utf-8"
    )
    return paths
