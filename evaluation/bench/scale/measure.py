"""One size of the cost curve, measured in a fresh process as a serving worker would hold it.

    python -m evaluation.bench.scale.measure INDEX_ROOT BASE_ROOT CACHE_DIR SCIFACT QUESTIONS

Loads the version (memory-mapped at large sizes), warms up, then asks SciFact's questions of it
in turn with the bundled corpus's questions of a second engine in the same process, so both
latencies see the same load. Prints one JSON object (stdout) for evaluation/bench/scale/cost.py.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

from evaluation.beir.data import load_queries
from evaluation.scoring.metrics import latency_percentiles
from index.ann import recall_at
from index.dense import is_exact, search_dense
from index.load import StoredVersion, load_index, read_version
from index.storage.store import current_version
from ingest.embed import Purpose
from service.config import PROJECT_ROOT, Settings
from service.engine import Engine
from service.indexing import ensure_index, make_embedder

SUITE = PROJECT_ROOT / "evaluation" / "suites" / "articles.jsonl"
EXACT_BLOCK = 131_072  # stored vectors converted to float32 at a time for exact search
WARM_UP = 10


def resident_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return tuple(round(int(fields[k].split()[0]) / 1024, 1) for k in ("VmRSS", "VmHWM"))


def exact_top10(stored: StoredVersion, queries: np.ndarray) -> np.ndarray:
    """The exact 10 nearest stored vectors of each query, reading the vectors in blocks."""
    vectors = stored.chunk_vectors()
    best_scores = np.zeros((len(queries), 0), dtype=np.float32)
    best_rows = np.zeros((len(queries), 0), dtype=np.int64)
    for first in range(0, len(vectors), EXACT_BLOCK):
        block = np.asarray(vectors[first : first + EXACT_BLOCK], dtype=np.float32)
        best_scores = np.concatenate([best_scores, queries @ block.T], axis=1)
        best_rows = np.concatenate(
            [
                best_rows,
                np.broadcast_to(
                    np.arange(first, first + len(block)), (*best_scores.shape[:1], len(block))
                ),
            ],
            axis=1,
        )
        keep = np.argsort(-best_scores, axis=1, kind="stable")[:, :10]
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
        best_rows = np.take_along_axis(best_rows, keep, axis=1)
    return best_rows


def dense_recall(root: Path, engine: Engine, questions: list[str]) -> float:
    index = engine.index.dense
    queries = np.stack([engine.embedder.embed_query(q) for q in questions]).astype(np.float32)
    if is_exact(index):
        return 1.0  # exact search is its own reference
    truth = exact_top10(read_version(current_version(root)), queries)
    found = np.array([[r for r, _ in search_dense(index, q, 10)] for q in queries])
    return round(recall_at(found, truth), 4)


def timed_ask(engine: Engine, question: str) -> float:
    started = time.perf_counter()
    engine.ask(question)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str]) -> int:
    root, base_root, cache_dir, scifact = (Path(a) for a in argv[:4])
    count = int(argv[4])
    settings = Settings(index_dir=root, cache_dir=cache_dir, reload_interval=0)
    embedder = make_embedder(settings, purpose=Purpose.QUERY)
    embedder.warm_up()
    engine = Engine(settings, embedder, load_index(root))
    questions = list(load_queries(scifact / "queries.jsonl").values())[:count]
    for question in questions[:WARM_UP]:
        engine.ask(question)
    base_settings = Settings(index_dir=base_root, cache_dir=cache_dir, reload_interval=0)
    base = Engine(base_settings, embedder, ensure_index(base_settings, embedder))
    asked = [json.loads(line)["question"] for line in SUITE.read_text().splitlines() if line]
    for question in asked[:WARM_UP]:
        base.ask(question)
    large, small = [], []
    for question, other in zip(questions, itertools.cycle(asked), strict=False):
        large.append(timed_ask(engine, question))
        small.append(timed_ask(base, other))
    rss, _ = resident_mb()
    recall = dense_recall(root, engine, questions)
    _, hwm = resident_mb()
    stats = latency_percentiles(large)
    result = {
        "rss_mb": rss,
        "hwm_mb": hwm,
        "ask_p50_ms": round(stats["p50"], 1),
        "ask_p95_ms": round(stats["p95"], 1),
        "recall_at_10": recall,
        "base_ask_p50_ms": round(latency_percentiles(small)["p50"], 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
