"""What the HTTP benchmarks send: distinct questions (so no answer is ever a repeat), and the
chat API's stream, timed to its first chunk."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from evaluation.scoring.metrics import latency_percentiles
from service.config import PROJECT_ROOT


@dataclass(frozen=True)
class Latency:
    """Percentiles of one measurement, in milliseconds."""

    p50: float
    p95: float
    p99: float
    max: float
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> Latency:
        found = latency_percentiles(samples)
        return cls(found["p50"], found["p95"], found["p99"], found["max"], len(samples))


def distinct_questions() -> list[str]:
    """Every question of every suite about the bundled corpus, each once."""
    registry = json.loads((PROJECT_ROOT / "evaluation/suites/suites.json").read_text())["suites"]
    seen: dict[str, str] = {}
    for name, spec in registry.items():
        if spec["corpus"] != "corpus":
            continue
        for line in (PROJECT_ROOT / "evaluation/suites" / f"{name}.jsonl").read_text().splitlines():
            if line.strip():
                question = json.loads(line)["question"]
                seen.setdefault(" ".join(question.casefold().split()), question)
    return list(seen.values())


@dataclass(frozen=True)
class StreamFigures:
    """/v1/chat/completions, one client: the whole reply, and the first chunk of a stream."""

    whole: Latency
    first_chunk: Latency


def first_chunk(url: str, questions: list[str]) -> StreamFigures:
    """Each question asked twice, alternating: whole, then streamed (time to its first
    `data:` line). The answer cache is off, so both compute the answer."""
    import httpx

    whole, first = [], []
    with httpx.Client(base_url=url, timeout=60) as client:
        for question in questions:
            body = {"model": "rag", "messages": [{"role": "user", "content": question}]}
            started = time.perf_counter()
            client.post("/v1/chat/completions", json=body).raise_for_status()
            whole.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
                lines = r.iter_lines()
                for line in lines:
                    if line.startswith("data: "):
                        first.append((time.perf_counter() - started) * 1000)
                        break
                for _ in lines:  # read the rest, as a client would
                    pass
    return StreamFigures(Latency.of(whole), Latency.of(first))
