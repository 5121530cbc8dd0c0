"""`make bench`: every latency and throughput figure of the service side by side, in one run.

    python -m evaluation.bench.latency [--requests 300] [--duration 15] [--workers 2] [--cold-runs
    5]

The reference row is the torch query embedding (sentence-transformers on the bundled MiniLM),
the floor of the torch design; every latency is also shown as a ratio to it, so figures from
a busy machine still compare within the run. In order:

- query embedding, torch and ONNX Runtime (fp32, int8), each backend alone in fresh processes,
  and their bulk throughput on SciFact passages: evaluation/bench/embedding.py, reused as is;
- warm /ask in this process (the configured backend, ONNX when its export exists), with the
  p50 of each step (embed, retrieve, answer) from the engine's own timings;
- over HTTP on loopback against a real `rag serve --workers N`: one client, then 8 and 32
  concurrent clients for a bounded time with /health probed during the 32-client load, and
  the memory of each of the server's processes (evaluation/bench/load.py's raw-socket client);
- whole-process cold starts of `rag ask` (existing index) and `rag --help`, each run several
  times after one unmeasured run, hyperfine-style.

It prints the figures and the issue's targets; it asserts nothing (timings belong in a
benchmark, not in tests).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from evaluation.bench import embedding as embedding_bench
from evaluation.bench.load import LoadReport, run_load
from evaluation.bench.traffic import Latency, StreamFigures, distinct_questions, first_chunk
from evaluation.runs.server_process import free_port, spawned_server
from service.config import settings_from_env

T = TypeVar("T")
COLD_QUESTION = "How long should I give him space when he pulls away?"
STEPS = ("embed", "retrieve", "answer")


def suite_questions() -> list[str]:
    """Every distinct question of the suites about the bundled corpus (about 490): the load
    levels ask each at most a few times, and the answer cache is off besides."""
    return distinct_questions()


def in_process(requests: int, warmup: int) -> tuple[Latency, dict[str, Latency], str]:
    """Warm /ask in this process: the whole call, and each step's own timing."""
    from service.engine import Engine
    from service.render import ask_body

    engine = Engine.open(replace(settings_from_env(), answer_cache=0))  # each ask answered anew
    questions = itertools.cycle(suite_questions())
    for _ in range(warmup):
        ask_body(engine.ask(next(questions)))
    whole, steps = [], {name: [] for name in STEPS}
    for _ in range(requests):
        started = time.perf_counter()
        result = engine.ask(next(questions))
        ask_body(result)  # the JSON shape /ask returns, as the HTTP handler builds it
        whole.append((time.perf_counter() - started) * 1000)
        for name in STEPS:
            steps[name].append(result.timings_ms[name])
    backend = type(engine.embedder).__name__
    return Latency.of(whole), {k: Latency.of(v) for k, v in steps.items()}, backend


@dataclass(frozen=True)
class HttpFigures:
    single: LoadReport
    loads: tuple[LoadReport, ...]
    stream: StreamFigures


def over_http(workers: int, requests: int, duration: float, levels: tuple[int, ...]) -> HttpFigures:
    """One client, then each concurrency level, against one `rag serve --workers N`."""
    questions = suite_questions()
    with spawned_server(free_port(), workers, env={"RAG_ANSWER_CACHE": "0"}) as (url, pid):
        run_load(url, concurrency=1, max_requests=20, duration=60, questions=questions)  # warm
        single = run_load(
            url, concurrency=1, max_requests=requests, duration=120, questions=questions
        )
        stream = first_chunk(url, questions[: min(requests, 100)])
        loads = tuple(
            run_load(
                url,
                concurrency=level,
                duration=duration,
                questions=questions,
                pid=pid,
                health_interval=0.05 if level == max(levels) else None,
            )
            for level in levels
        )
    return HttpFigures(single, loads, stream)


def whole_process(command: list[str], runs: int) -> Latency:
    """Wall time of a whole process, `runs` times after one unmeasured run (page cache)."""
    samples = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=os.environ.copy())
        if attempt:
            samples.append((time.perf_counter() - started) * 1000)
    return Latency.of(samples)


def rag_command() -> str:
    return shutil.which("rag", path=str(Path(sys.executable).parent)) or "rag"


class Table:
    """Rows of `| measurement | p50 | tail | vs torch query p50 | target |`."""

    def __init__(self, reference_ms: float) -> None:
        self.reference = reference_ms
        self.rows: list[str] = [
            "| measurement | p50 ms | tail ms | vs torch query p50 | target |",
            "|---|---:|---:|---:|---|",
        ]

    def add(self, name: str, p50: float, tail: str = "", target: str = "") -> None:
        ratio = f"{p50 / self.reference:.2f}x" if self.reference else "-"
        self.rows.append(f"| {name} | {p50:.2f} | {tail} | {ratio} | {target} |")

    def render(self) -> str:
        return "\n".join(self.rows)


def verdict(ok: bool, wanted: str) -> str:
    return f"{wanted}: {'met' if ok else 'NOT met'}"


def _print_http(http: HttpFigures, table: Table, reference: float) -> list[str]:
    single = http.single
    table.add(
        "HTTP /ask, 1 client (loopback, rag serve)",
        single.p50_ms,
        f"p95 {single.p95_ms:.2f}",
        verdict(single.p50_ms <= 0.75 * reference, "<= 0.75x"),
    )
    table.add(
        "HTTP /v1/chat/completions, 1 client, whole reply",
        http.stream.whole.p50,
        f"p95 {http.stream.whole.p95:.2f}",
    )
    table.add(
        "  streamed: first chunk",
        http.stream.first_chunk.p50,
        f"p95 {http.stream.first_chunk.p95:.2f}",
        verdict(
            http.stream.first_chunk.p50 <= 1.2 * http.stream.whole.p50, "<= 1.2x the whole reply"
        ),
    )
    notes = []
    for report in http.loads:
        table.add(
            f"HTTP /ask, {report.concurrency} clients",
            report.p50_ms,
            f"p99 {report.p99_ms:.1f}",
            f"{report.throughput_rps:.0f} req/s, {report.errors} errors",
        )
        notes.append(
            f"{report.concurrency} clients: {report.requests} requests in {report.elapsed_s:.1f} s"
            f", {report.throughput_rps:.1f} req/s, p50 {report.p50_ms:.1f} ms, p99 "
            f"{report.p99_ms:.1f} ms, {report.errors} errors, client CPU "
            f"{report.client_cpu_ms_per_request:.3f} ms/request, server CPU "
            f"{report.server_cpu_ms_per_request or 0:.2f} ms/request; "
            + verdict(
                report.throughput_rps >= 250
                and report.errors == 0
                and (report.concurrency != 32 or report.p99_ms <= 300),
                ">= 250 req/s, 0 errors" + (", p99 <= 300 ms" if report.concurrency == 32 else ""),
            )
        )
        if report.health_p50_ms is not None:
            table.add(
                f"GET /health while {report.concurrency} clients load /ask",
                report.health_p50_ms,
                f"p95 {report.health_p95_ms:.1f}",
                verdict(report.health_p50_ms <= 50, "<= 50 ms"),
            )
        if report.memory_after:
            notes.append(
                "memory after that load: "
                + "; ".join(
                    f"{m.role} RSS {m.rss_kib / 1024:.0f} MiB"
                    + (f" PSS {m.pss_kib / 1024:.0f} MiB" if m.pss_kib is not None else "")
                    for m in report.memory_after
                )
            )
    return notes


def _timed(label: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    print(f"  {label}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="in-process and 1-client asks")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per load level")
    parser.add_argument("--workers", type=int, default=2, help="rag serve --workers")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--passages", type=int, default=320, help="SciFact passages, bulk")
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per backend")
    parser.add_argument("--scifact", type=Path, default=embedding_bench.SCIFACT)
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md alone")
    args = parser.parse_args()
    if not (args.scifact / "corpus.jsonl").is_file():
        parser.error(f"no corpus.jsonl in {args.scifact}; pass --scifact DIR")
    load_at_start = os.getloadavg()[0]
    print("measuring (each step's wall time on stderr) ...", file=sys.stderr)
    embedding = _timed(
        "embedding backends",
        lambda: embedding_bench.measure(args.passages, args.scifact, args.rounds),
    )
    ask, steps, backend = _timed("in process", lambda: in_process(args.requests, args.warmup))
    http = _timed(
        "over HTTP", lambda: over_http(args.workers, args.requests, args.duration, (8, 32))
    )
    rag = rag_command()
    cold_ask = _timed(
        "cold ask", lambda: whole_process([rag, "ask", COLD_QUESTION], args.cold_runs)
    )
    cold_help = _timed("cold help", lambda: whole_process([rag, "--help"], args.cold_runs * 2))

    torch = embedding[0]
    reference = torch.query_p50_ms
    table = Table(reference)
    for row in embedding:
        table.add(
            f"query embedding, {row.label}",
            row.query_p50_ms,
            f"p95 {row.query_p95_ms:.2f}",
            "reference" if row is torch else "",
        )
    table.add(
        f"/ask in process, warm ({backend})",
        ask.p50,
        f"p95 {ask.p95:.2f}",
        verdict(ask.p50 <= 0.5 * reference, "<= 0.5x"),
    )
    for name in STEPS:
        table.add(
            f"  of which {name} (engine timings)", steps[name].p50, f"p95 {steps[name].p95:.2f}"
        )
    notes = _print_http(http, table, reference)
    table.add(
        "cold `rag ask` (whole process)",
        cold_ask.p50,
        f"max {cold_ask.max:.0f}",
        verdict(cold_ask.p50 <= 1500, "<= 1500 ms"),
    )
    table.add(
        "cold `rag --help` (whole process)",
        cold_help.p50,
        f"max {cold_help.max:.0f}",
        verdict(cold_help.p50 <= 300, "<= 300 ms"),
    )
    print(table.render())
    print()
    for note in notes:
        print(f"- {note}")
    print("\nBulk embedding, SciFact passages (fresh process per backend, no cache):")
    for row in embedding:
        print(
            f"- {row.label}: {row.passages_per_s:.1f} passages/s "
            f"({row.passages_per_s / torch.passages_per_s:.2f}x torch), import+load "
            f"{row.load_s:.2f} s, min cosine to torch {row.min_cosine:.6f}"
        )
    machine = (
        f"{os.cpu_count()} cores; 1-minute load average {load_at_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end."
    )
    print(f"\n{machine} Figures from a busy machine are not comparable with a quiet one's.")
    if not args.no_docs:
        from evaluation.runs.docs_figures import DOCS, module_command, publish

        command = module_command("evaluation.bench.latency")
        publish(DOCS / "performance.md", "latency", command, f"{table.render()}\n\n{machine}")


if __name__ == "__main__":
    main()
