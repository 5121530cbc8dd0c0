"""A bounded load test of POST /ask on loopback: throughput, latency percentiles, server memory.

    python -m evaluation.bench.load --url http://127.0.0.1:8000 --concurrency 8 --duration 30
    python -m evaluation.bench.load --spawn --workers 2 --concurrency 32 --duration 30 --health 0.05
    # memory before/after
    python -m evaluation.bench.load --url ... --pid 1234 --max-requests 10000

The clients are evaluation/runs/wire.py's raw keep-alive connections, not httpx: on two cores the
load generator shares the CPU with the server, and httpx's millisecond of Python per request
would be measured as the server's slowness (the report prints the client's own CPU time per
request). `--health S` also asks GET /health every S seconds on its own connection, to show
whether the probes queue behind /ask. Memory is read for the server process and its children
(`rag serve --workers N` is a supervisor plus N workers), as RSS and PSS (shared pages split
between the processes that map them). It only ever talks to loopback addresses, and every run
is bounded in time and requests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from evaluation.runs.server_process import (
    ProcessMemory,
    cpu_seconds,
    process_tree_memory,
    spawned_server,
)
from evaluation.runs.wire import (
    Connection,
    NotLoopback,
    ProtocolError,
    check_loopback,
    request_bytes,
)
from evaluation.scoring.metrics import latency_percentiles
from service.config import settings_from_env

MAX_DURATION_S = 600.0
MAX_CONCURRENCY = 256
MAX_REQUESTS = 1_000_000
MIN_HEALTH_INTERVAL_S = 0.01
ASK_FIELDS = ("question", "answer", "abstained", "confidence", "citations", "passages")
QUESTIONS = (
    "How long should I give him space when he pulls away?",
    "Why do men pull away when a relationship deepens?",
    "What are the signs he is pulling away but still cares?",
    "What role does dopamine play in male withdrawal?",
    "Why would a guy who clearly cares about me still put emotional space between us?",
    "How should I respond when my partner becomes distant?",
    "What is avoidant attachment?",
    "Does fear of vulnerability make men retreat?",
    "What did the 2024 University of Arizona study find?",
    "What is the capital of France?",
    "How do I bake sourdough bread?",
    "men distancing behaviour coping mechanism or loss of interest",
)


@dataclass
class LoadReport:
    url: str
    concurrency: int
    requests: int = 0
    errors: int = 0
    abstained: int = 0
    elapsed_s: float = 0.0
    throughput_rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    client_cpu_ms_per_request: float = 0.0
    server_cpu_ms_per_request: float | None = None  # all the server's processes (with --pid)
    error_kinds: dict[str, int] = field(default_factory=dict)
    health_probes: int = 0
    health_p50_ms: float | None = None
    health_p95_ms: float | None = None
    health_max_ms: float | None = None
    memory_before: list[ProcessMemory] = field(default_factory=list)
    memory_after: list[ProcessMemory] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield f"target        {self.url}/ask  ({self.concurrency} concurrent clients)"
        yield f"requests      {self.requests}  in {self.elapsed_s:.1f} s"
        yield f"errors        {self.errors}" + (f"  {self.error_kinds}" if self.errors else "")
        yield f"throughput    {self.throughput_rps:.1f} req/s"
        yield (
            f"latency ms    p50 {self.p50_ms:.1f}  p95 {self.p95_ms:.1f}  "
            f"p99 {self.p99_ms:.1f}  max {self.max_ms:.1f}"
        )
        yield f"abstained     {self.abstained}"
        yield f"client CPU    {self.client_cpu_ms_per_request:.3f} ms per request"
        if self.server_cpu_ms_per_request is not None:
            yield (
                f"server CPU    {self.server_cpu_ms_per_request:.2f} ms per request (its "
                "processes' user+system time: what a request costs, however busy the machine)"
            )
        if self.health_probes:
            yield (
                f"/health       {self.health_probes} probes during the load: p50 "
                f"{self.health_p50_ms:.1f} ms  p95 {self.health_p95_ms:.1f}  max "
                f"{self.health_max_ms:.1f}"
            )
        if self.memory_before:
            before = sum(m.rss_kib for m in self.memory_before) / 1024
            after = sum(m.rss_kib for m in self.memory_after) / 1024
            yield (
                f"server RSS    before {before:.1f} MiB  after {after:.1f} MiB  "
                f"(all {len(self.memory_after)} processes)"
            )
            for m in self.memory_after:
                pss = f"  PSS {m.pss_kib / 1024:.1f} MiB" if m.pss_kib is not None else ""
                yield f"  {m.role:<16} pid {m.pid}: RSS {m.rss_kib / 1024:.1f} MiB{pss}"


def _problem(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    try:
        parsed = json.loads(body)
    except ValueError:
        return "not JSON"
    missing = [f for f in ASK_FIELDS if f not in parsed]
    return f"missing {missing[0]}" if missing else None


@dataclass
class _Tally:
    latencies_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    issued: int = 0
    done: int = 0
    abstained: int = 0


async def _drive(
    url: str,
    concurrency: int,
    duration: float,
    max_requests: int,
    requests: Sequence[bytes],
    health_interval: float | None,
) -> tuple[_Tally, float]:
    tally = _Tally()
    started = time.perf_counter()
    deadline = started + duration

    async def client_loop() -> None:
        connection = Connection(url)
        try:
            while time.perf_counter() < deadline and tally.issued < max_requests:
                raw = requests[tally.issued % len(requests)]
                tally.issued += 1
                sent = time.perf_counter()
                try:
                    response = await connection.send(raw)
                except (OSError, ProtocolError, asyncio.IncompleteReadError) as error:
                    tally.errors[type(error).__name__] += 1
                    await connection.close()
                    continue
                finally:
                    tally.done += 1
                tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
                if problem := _problem(response.status, response.body):
                    tally.errors[problem] += 1
                elif b'"abstained":true' in response.body:
                    tally.abstained += 1
        finally:
            await connection.close()

    async def health_loop(interval: float) -> None:
        connection = Connection(url)
        raw = request_bytes(connection.authority, "GET", "/health")
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                with contextlib.suppress(OSError, ProtocolError, asyncio.IncompleteReadError):
                    if (await connection.send(raw)).status == 200:
                        tally.health_ms.append((time.perf_counter() - sent) * 1000)
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - sent)))
        finally:
            await connection.close()

    loops = [client_loop() for _ in range(concurrency)]
    if health_interval:
        loops.append(health_loop(health_interval))
    await asyncio.gather(*loops)
    return tally, time.perf_counter() - started


def ask_requests(url: str, questions: Sequence[str], api_key: str | None) -> list[bytes]:
    """One prepared POST /ask per question."""
    authority = urlsplit(url).netloc
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return [
        request_bytes(authority, "POST", "/ask", json.dumps({"question": q}).encode(), headers)
        for q in questions
    ]


def run_load(
    url: str,
    *,
    concurrency: int = 8,
    duration: float = 10.0,
    max_requests: int = MAX_REQUESTS,
    questions: Sequence[str] = QUESTIONS,
    pid: int | None = None,
    api_key: str | None = None,
    health_interval: float | None = None,
) -> LoadReport:
    """Drive `concurrency` clients against /ask until the time or request budget runs out."""
    url = check_loopback(url)
    if urlsplit(url).scheme != "http":
        raise ValueError("the load client speaks plain http:// only")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"--duration must be between 0 and {MAX_DURATION_S:.0f} seconds")
    if not 1 <= max_requests <= MAX_REQUESTS:
        raise ValueError(f"--max-requests must be between 1 and {MAX_REQUESTS}")
    if health_interval is not None and not MIN_HEALTH_INTERVAL_S <= health_interval <= duration:
        raise ValueError(f"--health must be between {MIN_HEALTH_INTERVAL_S} s and the duration")
    report = LoadReport(url=url, concurrency=concurrency)
    report.memory_before = process_tree_memory(pid) if pid else []
    server_cpu = cpu_seconds(pid) if pid else 0.0
    cpu = time.process_time()
    tally, elapsed = asyncio.run(
        _drive(
            url,
            concurrency,
            duration,
            max_requests,
            ask_requests(url, questions, api_key),
            health_interval,
        )
    )
    cpu = time.process_time() - cpu
    if pid:
        report.server_cpu_ms_per_request = round(
            (cpu_seconds(pid) - server_cpu) * 1000 / max(tally.done, 1), 3
        )
    report.memory_after = process_tree_memory(pid) if pid else []
    ordered = sorted(tally.latencies_ms)
    report.requests = tally.done
    report.errors = sum(tally.errors.values())
    report.error_kinds = dict(tally.errors)
    report.abstained = tally.abstained
    report.elapsed_s = round(elapsed, 3)
    report.throughput_rps = round(report.requests / elapsed, 2) if elapsed else 0.0
    if ordered:
        stats = latency_percentiles(ordered)
        report.p50_ms, report.p95_ms, report.p99_ms = (
            round(stats[q], 2) for q in ("p50", "p95", "p99")
        )
    report.max_ms = round(ordered[-1], 2) if ordered else 0.0
    report.client_cpu_ms_per_request = round(cpu * 1000 / max(report.requests, 1), 4)
    if tally.health_ms:
        health = sorted(tally.health_ms)
        report.health_probes = len(health)
        stats = latency_percentiles(health)
        report.health_p50_ms = round(stats["p50"], 2)
        report.health_p95_ms = round(stats["p95"], 2)
        report.health_max_ms = round(health[-1], 2)
    return report


def _questions_from(path: Path) -> list[str]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [row["question"] for row in lines if row.get("question")]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="Base URL of a running service on loopback.")
    target.add_argument("--spawn", action="store_true", help="Start `rag serve` for the run.")
    parser.add_argument("--port", type=int, default=8765, help="Port for --spawn.")
    parser.add_argument("--workers", type=int, help="Workers for --spawn (default: rag's).")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds (at most 600).")
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--health", type=float, help="Also probe /health every this many s.")
    parser.add_argument("--pid", type=int, help="Server process id, to report its memory.")
    parser.add_argument("--suite", type=Path, help="A JSONL suite to draw questions from.")
    parser.add_argument("--json", action="store_true", help="Also print the report as JSON.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every request succeeded, 1 when any failed, 2 on bad arguments."""
    args = _parser().parse_args(argv)
    questions = _questions_from(args.suite) if args.suite else QUESTIONS
    api_key = settings_from_env().api_key  # sent as a bearer token when the service wants one
    options = {
        "concurrency": args.concurrency,
        "duration": args.duration,
        "max_requests": args.max_requests,
        "questions": questions,
        "api_key": api_key,
        "health_interval": args.health,
    }
    try:
        if args.spawn:
            with spawned_server(args.port, args.workers) as (url, pid):
                report = run_load(url, pid=pid, **options)
        else:
            report = run_load(args.url, pid=args.pid, **options)
    except (NotLoopback, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if args.json:
        print(json.dumps(asdict(report)))
    return 0 if report.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
