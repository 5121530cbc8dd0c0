"""Throughput over HTTP of two code trees, side by side, alternating in fresh servers.

    git worktree add /tmp/before <commit>
    python -m evaluation.bench.ab_http /tmp/before [--rounds 2] [--duration 10] [--levels 1,8,32]

Each round starts `rag serve` from the other tree, then from this one (each on its own scratch
index of its own bundled corpus, the answer cache off: RAG_ANSWER_CACHE=0), and drives each
with the load client at every level: distinct questions (every suite on the bundled corpus,
deduplicated) for `--duration` seconds. It prints requests per second, p50 and p99 latency and
the server's CPU per request, per level and tree, and the median ratio over rounds. The machine
is shared, so only figures taken side by side compare. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluation.bench.load import run_load
from evaluation.bench.traffic import distinct_questions
from evaluation.runs.server_process import free_port, is_ready, stop
from service.config import PROJECT_ROOT

SERVE = "import sys; sys.path.insert(0, sys.argv.pop(1)); from service.cli.app import main; main()"


def serve(root: Path, work: Path, workers: int, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-c", SERVE, str(root), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]  # fmt: skip
    child_env = {
        **env,
        "PYTHONPATH": str(root),
        "RAG_CORPUS_DIR": str(root / "corpus"),
        "RAG_INDEX_DIR": str(work / "index"),
        "RAG_CACHE_DIR": str(work / "cache"),
        "RAG_ANSWER_CACHE": "0",
    }
    log = work.with_suffix(".log")
    work.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=root, env=child_env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while not is_ready(url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)  # SIGTERM: the supervisor takes its workers down with it
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(f"the server of {root} did not start:\n" + "\n".join(tail))
        time.sleep(0.25)
    return process, url


def measure(
    root: Path,
    work: Path,
    workers: int,
    levels: list[int],
    duration: float,
    questions: list[str],
    settings: dict[str, str] | None = None,
) -> dict:
    """Requests per second, p50, p99, server CPU per request and errors at each level, from a
    fresh server of `root` with `workers` (`settings`: extra RAG_* variables for it)."""
    process, url = serve(root, work, workers, {**os.environ, **(settings or {})})
    try:
        run_load(url, concurrency=2, max_requests=60, duration=30, questions=questions)  # warm
        figures = {}
        for level in levels:
            report = run_load(url, concurrency=level, duration=duration,
                              questions=questions, pid=process.pid)  # fmt: skip
            figures[level] = {
                "rps": report.requests / max(report.elapsed_s, 1e-9),
                "p50": report.p50_ms,
                "p99": report.p99_ms,
                "cpu_ms": report.server_cpu_ms_per_request,
                "errors": report.errors,
            }
        return figures
    finally:
        stop(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levels", default="1,8,32")
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",")]
    questions = distinct_questions()
    print(f"{len(questions)} distinct questions; load at start {os.getloadavg()[0]:.2f}")
    ratios: dict[int, list[float]] = {level: [] for level in args.levels}
    with tempfile.TemporaryDirectory(prefix="ab-http-") as scratch:
        for round_ in range(1, args.rounds + 1):
            runs = {}
            for name, root in (("other", args.other.resolve()), ("this", PROJECT_ROOT)):
                runs[name] = measure(root, Path(scratch) / name, args.workers,
                                     args.levels, args.duration, questions)  # fmt: skip
            for level in args.levels:
                a, b = runs["other"][level], runs["this"][level]
                ratios[level].append(b["rps"] / a["rps"])
                print(f"round {round_} {level:>2} clients: "
                      f"other {a['rps']:6.1f} req/s p50 {a['p50']:6.1f} p99 {a['p99']:6.1f} "
                      f"cpu {a['cpu_ms']:5.2f} ms err {a['errors']} | "
                      f"this {b['rps']:6.1f} req/s p50 {b['p50']:6.1f} p99 {b['p99']:6.1f} "
                      f"cpu {b['cpu_ms']:5.2f} ms err {b['errors']} | "
                      f"this/other {b['rps'] / a['rps']:.3f}x", flush=True)  # fmt: skip
    for level, values in ratios.items():
        print(f"{level:>2} clients: median this/other throughput {statistics.median(values):.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
