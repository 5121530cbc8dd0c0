"""The cost curve as a picture: latency, memory and build time against corpus size."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot(rows: list[dict], path: Path) -> None:
    """Three panels over passages (log scale): /ask p50 and p95 with the bundled corpus's
    p50, resident memory, and build time; the FAISS type is written at each point."""
    sizes = [r["passages"] for r in rows]
    figure, (latency, memory, build) = plt.subplots(1, 3, figsize=(13, 4))
    latency.plot(sizes, [r["ask_p50_ms"] for r in rows], "o-", label="/ask p50")
    latency.plot(sizes, [r["ask_p95_ms"] for r in rows], "s--", label="/ask p95")
    latency.plot(sizes, [r["base_ask_p50_ms"] for r in rows], "^:", label="bundled corpus p50")
    latency.set_ylabel("ms (in process)")
    latency.legend()
    for r in rows:
        latency.annotate(r["index"]["type"], (r["passages"], r["ask_p50_ms"]), fontsize=8)
    memory.plot(sizes, [r["rss_mb"] for r in rows], "o-", label="resident (serving)")
    memory.plot(sizes, [r["index_bytes"] / 2**20 for r in rows], "s--", label="index on disk")
    memory.axhline(2560, color="grey", linewidth=0.8, linestyle=":", label="2.5 GB target")
    memory.set_ylabel("MB")
    memory.legend()
    build.plot(sizes, [r["build_s"] for r in rows], "o-")
    build.set_ylabel("index build s (no embedding)")
    for axis, title in ((latency, "latency"), (memory, "memory"), (build, "build")):
        axis.set_xscale("log")
        axis.set_xlabel("passages")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
