"""Latency benchmark: warm /ask in process and over HTTP (loopback), and `rag ask` cold start.

    python -m evaluation.latency [--requests 200] [--cold-runs 3]

Prints measured figures; it asserts nothing (timings belong in a benchmark, not in tests).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from evaluation.suite import load_suite
from service.api import create_app
from service.config import PROJECT_ROOT, settings_from_env
from service.engine import Engine

SUITE = PROJECT_ROOT / "evaluation" / "suites" / "articles.jsonl"


def percentiles(samples: list[float]) -> str:
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return (
        f"n={len(samples)}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  "
        f"mean {statistics.fmean(samples):7.1f} ms"
    )


def timed(call: Callable[[str], object], questions: list[str], count: int) -> list[float]:
    samples = []
    for question in itertools.islice(itertools.cycle(questions), count):
        started = time.perf_counter()
        call(question)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def serve_in_thread(engine: Engine) -> tuple[uvicorn.Server, str]:
    """A real uvicorn server on a free loopback port, in this process."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(engine.settings, engine)
    logging.getLogger("rag.access").setLevel(logging.WARNING)  # a JSON line per request: noise here
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def cold_start(runs: int) -> list[float]:
    """Wall time of a whole `rag ask` process (interpreter, imports, model, index, answer)."""
    rag = shutil.which("rag", path=str(Path(sys.executable).parent)) or "rag"
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [rag, "ask", "How long should I give him space when he pulls away?"],
            check=True,
            capture_output=True,
            env=os.environ.copy(),
        )
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    settings = settings_from_env()
    engine = Engine.open(settings)
    questions = [c.question for c in load_suite(SUITE, settings.corpus_dir)]
    print(
        f"{len(questions)} suite questions cycled; index {engine.index.version}, "
        f"{len(engine.index.chunks)} chunks; torch threads {_torch_threads()}"
    )
    for mode in ("dense", "hybrid"):
        timed(lambda q, m=mode: engine.ask(q, mode=m), questions, args.warmup)
        samples = timed(lambda q, m=mode: engine.ask(q, mode=m), questions, args.requests)
        print(f"in process, /ask {mode:6}  {percentiles(samples)}")
    server, url = serve_in_thread(engine)
    with httpx.Client(base_url=url, timeout=60) as client:

        def ask(question: str) -> None:
            client.post("/ask", json={"question": question}).raise_for_status()

        timed(ask, questions, args.warmup)
        print(f"over HTTP,  /ask hybrid  {percentiles(timed(ask, questions, args.requests))}")
    server.should_exit = True
    if args.cold_runs:
        samples = cold_start(args.cold_runs)
        print(
            f"cold start, rag ask      n={len(samples)}  median {statistics.median(samples):7.0f}"
            f" ms  min {min(samples):7.0f} ms  max {max(samples):7.0f} ms"
        )


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()
