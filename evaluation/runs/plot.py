"""The picture of a suite run: scores per kind of question, and the latency histogram."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def kind_counts(report: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in report["cases"]:
        counts[case["kind"]] = counts.get(case["kind"], 0) + 1
    return counts


def write_plot(report: dict, path: Path, metrics: Sequence[str]) -> Path:
    """Grouped bars of hit@1 / must_contain / abstention per kind, and the latency histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    kinds = list(report["by_kind"])
    counts = kind_counts(report)
    fig, (bars_ax, hist_ax) = plt.subplots(
        1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    x = np.arange(len(kinds))
    width = 0.8 / len(metrics)
    colours = ("#4c72b0", "#55a868", "#c44e52")
    for i, (metric, colour) in enumerate(zip(metrics, colours, strict=True)):
        values = [report["by_kind"][k].get(metric) for k in kinds]
        offsets = x - 0.4 + width * (i + 0.5)
        heights = [0.0 if v is None else v for v in values]
        bars_ax.bar(offsets, heights, width, label=metric, color=colour)
        for position, value in zip(offsets, values, strict=True):
            label = "n/a" if value is None else f"{value:.2f}"
            bars_ax.text(
                position,
                (0.0 if value is None else value) + 0.01,
                label,
                ha="center",
                va="bottom",
                fontsize=7,
                rotation=90,
            )
    bars_ax.set_xticks(x, [f"{k}\n(n={counts.get(k, 0)})" for k in kinds])
    bars_ax.set_ylim(0, 1.18)
    bars_ax.set_ylabel("score (mean over the kind's cases)")
    bars_ax.set_title("Scores per kind of question")
    bars_ax.legend(loc="upper center", ncol=len(metrics), fontsize=8, frameon=False)
    bars_ax.grid(axis="y", alpha=0.3)

    latencies = [c["latency_ms"] for c in report["cases"]]
    hist_ax.hist(latencies, bins=min(30, max(5, len(latencies) // 3)), color="#8c8c8c")
    for key, style, name in (("latency_p50_ms", "-", "p50"), ("latency_p95_ms", "--", "p95")):
        value = report["metrics"].get(key)
        if value is not None:
            hist_ax.axvline(value, color="#c44e52", linestyle=style, label=f"{name} {value:.0f} ms")
    hist_ax.set_xlabel("latency per question (ms)")
    hist_ax.set_ylabel("questions")
    hist_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist_ax.set_title(f"Latency ({report['target']})")
    hist_ax.legend(fontsize=8)
    fig.suptitle(f"{report['suite']} · commit {(report['git_commit'] or 'n/a')[:12]}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --- writing ----------------------------------------------------------------------------------
