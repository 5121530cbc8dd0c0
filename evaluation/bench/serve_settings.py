"""Throughput of `rag serve` under other worker, thread and concurrency settings, side by side,
alternating fresh servers of this tree (answer cache off, distinct questions), so the defaults
are chosen from measurement:

    python -m evaluation.bench.serve_settings [--rounds 2] [--duration 8] [--levels 8,32]

Each setting is a number of workers and RAG_* variables; the first row is the defaults. It
prints requests per second, p99 and server CPU per request per level, and each setting's median
throughput against the defaults'. The machine is shared, so only figures taken side by side
compare. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from evaluation.bench.ab_http import measure
from evaluation.bench.traffic import distinct_questions
from service.config import PROJECT_ROOT

# (label, workers, environment): the defaults on 2 cores first
SETTINGS: tuple[tuple[str, int, dict[str, str]], ...] = (
    ("defaults: 2 workers, 1 ONNX thread each, 2 at once", 2, {}),
    ("1 worker, 2 ONNX threads", 1, {"RAG_EMBED_THREADS": "2"}),
    ("2 workers, 2 ONNX threads each", 2, {"RAG_EMBED_THREADS": "2"}),
    ("2 workers, 1 at once each", 2, {"RAG_QUERY_CONCURRENCY": "1"}),
    ("2 workers, 4 at once each", 2, {"RAG_QUERY_CONCURRENCY": "4"}),
    ("3 workers", 3, {}),
    ("questions embedded in fp32 (RAG_QUERY_PRECISION)", 2, {"RAG_QUERY_PRECISION": "fp32"}),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--levels", default="8,32")
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",")]
    questions = distinct_questions()
    print(f"{len(questions)} distinct questions; {os.cpu_count()} cores; "
          f"load at start {os.getloadavg()[0]:.2f}")  # fmt: skip
    rates: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="serve-settings-") as scratch:
        for round_ in range(1, args.rounds + 1):
            for number, (label, workers, settings) in enumerate(SETTINGS):
                work = Path(scratch) / f"{round_}-{number}"
                figures = measure(PROJECT_ROOT, work, workers, args.levels, args.duration,
                                  questions, settings)  # fmt: skip
                for level, f in figures.items():
                    rates.setdefault((label, level), []).append(f["rps"])
                    print(f"round {round_} {label:<52} {level:>2} clients: {f['rps']:6.1f} req/s "
                          f"p99 {f['p99']:6.1f} ms cpu {f['cpu_ms']:5.2f} ms/req "
                          f"err {f['errors']}", flush=True)  # fmt: skip
    base = SETTINGS[0][0]
    for label, _, _ in SETTINGS:
        for level in args.levels:
            rate = statistics.median(rates[(label, level)])
            ratio = rate / statistics.median(rates[(base, level)])
            print(f"{label:<52} {level:>2} clients: median {rate:6.1f} req/s, "
                  f"{ratio:.2f}x the defaults")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
