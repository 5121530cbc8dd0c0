"""A bounded load test of POST /ask on loopback: throughput, latency percentiles, server RSS.

    python -m evaluation.load --url http://127.0.0.1:8000 --concurrency 8 --duration 30
    python -m evaluation.load --spawn --concurrency 32 --duration 30      # starts `rag serve`
    python -m evaluation.load --url ... --pid 1234 --max-requests 10000   # RSS before/after

It only ever talks to loopback addresses, and every run is bounded in time and requests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import math
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from service.config import settings_from_env

MAX_DURATION_S = 600.0
MAX_CONCURRENCY = 256
MAX_REQUESTS = 1_000_000
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


class NotLoopback(ValueError):
    """The target is not a loopback address; this tool never loads anyone else's server."""


def check_loopback(url: str) -> str:
    """The URL without a trailing slash, or NotLoopback naming the host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotLoopback(f"--url must be http://127.0.0.1:PORT or similar, got {url!r}")
    host = parts.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise NotLoopback(
                f"refusing to load-test {host!r}: only loopback hosts (127.0.0.0/8, ::1, "
                "localhost) are allowed"
            )
    return url.rstrip("/")


def rss_kib(pid: int) -> int | None:
    """Resident set size of a process from /proc (Linux), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already-sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(share * len(sorted_values))))
    return sorted_values[rank - 1]


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
    error_kinds: dict[str, int] = field(default_factory=dict)
    rss_before_kib: int | None = None
    rss_after_kib: int | None = None

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
        if self.rss_before_kib is not None:
            yield (
                f"server RSS    before {self.rss_before_kib / 1024:.1f} MiB  after "
                f"{(self.rss_after_kib or 0) / 1024:.1f} MiB"
            )


def _problem(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    missing = [f for f in ASK_FIELDS if f not in body]
    return f"missing {missing[0]}" if missing else None


@dataclass
class _Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    issued: int = 0
    done: int = 0
    abstained: int = 0


async def _drive(
    url: str,
    concurrency: int,
    duration: float,
    max_requests: int,
    questions: Sequence[str],
    headers: dict[str, str],
) -> tuple[_Tally, float]:
    tally = _Tally()
    started = time.perf_counter()
    deadline = started + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(http: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline and tally.issued < max_requests:
            question = questions[tally.issued % len(questions)]
            tally.issued += 1
            sent = time.perf_counter()
            try:
                response = await http.post("/ask", json={"question": question})
            except httpx.HTTPError as error:
                tally.errors[type(error).__name__] += 1
                continue
            finally:
                tally.done += 1
            tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
            if problem := _problem(response):
                tally.errors[problem] += 1
            elif response.json()["abstained"]:
                tally.abstained += 1

    async with httpx.AsyncClient(
        base_url=url, timeout=60, limits=limits, headers=headers, trust_env=False
    ) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(concurrency)))
    return tally, time.perf_counter() - started


def run_load(
    url: str,
    *,
    concurrency: int = 8,
    duration: float = 10.0,
    max_requests: int = MAX_REQUESTS,
    questions: Sequence[str] = QUESTIONS,
    pid: int | None = None,
    api_key: str | None = None,
) -> LoadReport:
    """Drive `concurrency` clients against /ask until the time or request budget runs out."""
    url = check_loopback(url)
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"--duration must be between 0 and {MAX_DURATION_S:.0f} seconds")
    if not 1 <= max_requests <= MAX_REQUESTS:
        raise ValueError(f"--max-requests must be between 1 and {MAX_REQUESTS}")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    report = LoadReport(url=url, concurrency=concurrency)
    report.rss_before_kib = rss_kib(pid) if pid else None
    tally, elapsed = asyncio.run(
        _drive(url, concurrency, duration, max_requests, list(questions), headers)
    )
    report.rss_after_kib = rss_kib(pid) if pid else None
    ordered = sorted(tally.latencies_ms)
    report.requests = tally.done
    report.errors = sum(tally.errors.values())
    report.error_kinds = dict(tally.errors)
    report.abstained = tally.abstained
    report.elapsed_s = round(elapsed, 3)
    report.throughput_rps = round(report.requests / elapsed, 2) if elapsed else 0.0
    report.p50_ms, report.p95_ms, report.p99_ms = (
        round(percentile(ordered, q), 2) for q in (0.50, 0.95, 0.99)
    )
    report.max_ms = round(ordered[-1], 2) if ordered else 0.0
    return report


def _questions_from(path: Path) -> list[str]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [row["question"] for row in lines if row.get("question")]


@contextlib.contextmanager
def spawned_server(port: int, startup_timeout: float = 180.0) -> Iterator[tuple[str, int]]:
    """`rag serve` on loopback (settings from the RAG_* environment); SIGTERM when done."""
    rag = Path(sys.executable).with_name("rag")
    process = subprocess.Popen(
        [str(rag), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"rag serve exited with {process.returncode} during start-up")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/ready", timeout=2, trust_env=False).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("rag serve did not become ready in time")
            time.sleep(0.25)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="Base URL of a running service on loopback.")
    target.add_argument("--spawn", action="store_true", help="Start `rag serve` for the run.")
    parser.add_argument("--port", type=int, default=8765, help="Port for --spawn.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds (at most 600).")
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--pid", type=int, help="Server process id, to report its RSS.")
    parser.add_argument("--suite", type=Path, help="A JSONL suite to draw questions from.")
    parser.add_argument("--json", action="store_true", help="Also print the report as JSON.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every request succeeded, 1 when any failed, 2 on bad arguments."""
    args = _parser().parse_args(argv)
    questions = _questions_from(args.suite) if args.suite else QUESTIONS
    api_key = settings_from_env().api_key  # sent as a bearer token when the service wants one
    try:
        if args.spawn:
            with spawned_server(args.port) as (url, pid):
                report = run_load(
                    url,
                    concurrency=args.concurrency,
                    duration=args.duration,
                    max_requests=args.max_requests,
                    questions=questions,
                    pid=pid,
                    api_key=api_key,
                )
        else:
            report = run_load(
                args.url,
                concurrency=args.concurrency,
                duration=args.duration,
                max_requests=args.max_requests,
                questions=questions,
                pid=args.pid,
                api_key=api_key,
            )
    except (NotLoopback, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if args.json:
        print(json.dumps(asdict(report)))
    return 0 if report.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
