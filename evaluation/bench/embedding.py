"""Embedding backends side by side: torch, ONNX fp32 and ONNX int8 on the same texts, one run.

    python -m evaluation.bench.embedding [--passages 320] [--scifact DIR] [--rounds 3]

Each backend runs alone in a fresh process, as it does when serving (thread pools of two
backends in one process slow each other down), once per round in a rotating order so that
drift in the machine's load hits them alike. Prints, per backend: query-embedding p50/p95
over the public suite's questions, import+load time (median), bulk throughput on SciFact
passages (as `rag eval beir` indexes them, no embedding cache) and the minimum cosine to
torch's vectors over all those texts; ratios are against the torch row. The ONNX
exports are made first if missing (under RAG_CACHE_DIR/onnx). It asserts nothing: timings
belong in a benchmark, not in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from evaluation.beir import load_corpus, to_documents
from evaluation.scoring.metrics import latency_percentiles
from ingest.chunk import ChunkingConfig
from ingest.embed import Backend, EmbedderConfig, Precision
from ingest.embed.onnx_export import ensure_export, min_cosine
from ingest.embed.protocol import embedding_input
from ingest.pipeline import prepare_documents
from service.config import PROJECT_ROOT, settings_from_env
from service.indexing import embedder_config

SUITE = PROJECT_ROOT / "evaluation" / "suites" / "articles.jsonl"
SCIFACT = PROJECT_ROOT.parent / "shared" / "benchmarks" / "scifact"
WARM_QUERIES = 10

# One backend in a fresh interpreter, as it runs when serving: its clock starts before the
# first import of the project, so "load" is import + warm-up; then the queries one by one, then
# the passages in one bulk call (no embedding cache). Vectors go to a .npy for the cosines.
WORKER = """
import time
started = time.perf_counter()
import json, sys
from pathlib import Path
import numpy as np
from ingest.embed import EmbedderConfig, create_embedder
raw = json.loads(sys.argv[1])
raw["model_dir"], raw["export_root"] = Path(raw["model_dir"]), Path(raw["export_root"])
embedder = create_embedder(EmbedderConfig(**raw))
embedder.warm_up()
loaded = time.perf_counter() - started
heavy = "torch" in sys.modules
questions = json.loads(Path(sys.argv[2]).read_text())
passages = json.loads(Path(sys.argv[3]).read_text())
for question in questions[: int(sys.argv[5])]:
    embedder.embed_query(question)
samples = []
for question in questions:
    mark = time.perf_counter()
    embedder.embed_query(question)
    samples.append((time.perf_counter() - mark) * 1000)
mark = time.perf_counter()
bulk = embedder.embed(passages)
bulk_s = time.perf_counter() - mark
np.save(sys.argv[4], np.concatenate([bulk, embedder.embed(questions)]))
print(json.dumps({"load_s": loaded, "torch": heavy, "query_ms": samples, "bulk_s": bulk_s}))
"""


@dataclass(frozen=True)
class Row:
    """One backend's figures."""

    label: str
    query_p50_ms: float
    query_p95_ms: float
    load_s: float
    loads_torch: bool
    passages_per_s: float
    min_cosine: float


def _configs() -> dict[str, EmbedderConfig]:
    """The three backends, on the configured model and export folder."""
    base = embedder_config(settings_from_env())
    return {
        "torch": replace(base, backend=Backend.TORCH, precision=Precision.FP32),
        "onnx fp32": replace(base, backend=Backend.ONNX, precision=Precision.FP32),
        "onnx int8": replace(base, backend=Backend.ONNX, precision=Precision.INT8),
    }


def scifact_passages(directory: Path, count: int) -> list[str]:
    """The first `count` passages of SciFact, chunked and prefixed as its index embeds them."""
    corpus = load_corpus(directory / "corpus.jsonl")
    documents = to_documents(dict(list(corpus.items())[: count + 10]))
    titles = {d.doc_id: d.title for d in documents}
    prepared = prepare_documents(documents, ChunkingConfig(), with_sentences=False)
    chunks = [c for p in prepared for c in p.chunks][:count]
    return [embedding_input(titles[c.doc_id], c.section, c.text) for c in chunks]


def run_worker(config: EmbedderConfig, inputs: tuple[Path, Path], vectors: Path) -> dict:
    """One fresh process for one backend; its figures as a dict."""
    raw = {k: str(v) for k, v in asdict(config).items()}
    raw["threads"], raw["batch_size"] = config.threads, config.batch_size
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            WORKER,
            json.dumps(raw),
            *map(str, inputs),
            str(vectors),
            str(WARM_QUERIES),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def measure(passage_count: int, scifact: Path, rounds: int) -> list[Row]:
    """Every backend once per round, in a rotating order, so drift in load hits them alike."""
    configs = _configs()
    for config in configs.values():  # exports first, so that no timing includes making one
        if config.backend is Backend.ONNX:
            ensure_export(
                config.model_dir, config.export_root, config.precision, name=config.name, log=print
            )
    questions = [json.loads(line)["question"] for line in SUITE.read_text().splitlines() if line]
    passages = scifact_passages(scifact, passage_count)
    print(f"{len(questions)} questions, {len(passages)} SciFact passages", file=sys.stderr)
    results: dict[str, list[dict]] = {label: [] for label in configs}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        inputs = (folder / "questions.json", folder / "passages.json")
        inputs[0].write_text(json.dumps(questions))
        inputs[1].write_text(json.dumps(passages))
        labels = list(configs)
        for round_ in range(rounds):
            for label in labels[round_ % len(labels) :] + labels[: round_ % len(labels)]:
                vectors = folder / f"{labels.index(label)}-{round_}.npy"
                results[label].append(run_worker(configs[label], inputs, vectors))
        reference = np.load(folder / "0-0.npy")
        cosines = {
            label: min_cosine(np.load(folder / f"{i}-0.npy"), reference)
            for i, label in enumerate(labels)
        }
    rows = []
    for label, runs in results.items():
        samples = [ms for run in runs for ms in run["query_ms"]]
        stats = latency_percentiles(samples)
        p50, p95 = stats["p50"], stats["p95"]
        load_s = statistics.median(run["load_s"] for run in runs)
        rate = len(passages) * len(runs) / sum(run["bulk_s"] for run in runs)
        torch = all(run["torch"] for run in runs)
        rows.append(Row(label, p50, p95, load_s, torch, rate, cosines[label]))
    return rows


def render(rows: list[Row]) -> str:
    torch = rows[0]
    lines = [
        "| backend | query p50 ms | query p95 ms | p50 vs torch | import+load s | vs torch "
        "| imports torch | bulk passages/s | vs torch | min cosine to torch |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.label} | {r.query_p50_ms:.2f} | {r.query_p95_ms:.2f} "
            f"| {r.query_p50_ms / torch.query_p50_ms:.2f}x | {r.load_s:.2f} "
            f"| {r.load_s / torch.load_s:.2f}x | {'yes' if r.loads_torch else 'no'} "
            f"| {r.passages_per_s:.1f} | {r.passages_per_s / torch.passages_per_s:.2f}x "
            f"| {r.min_cosine:.6f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=320, help="SciFact passages to embed")
    parser.add_argument("--scifact", type=Path, default=SCIFACT, help="BEIR SciFact folder")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per backend")
    args = parser.parse_args()
    if args.passages < 1 or args.rounds < 1:
        parser.error("--passages and --rounds must be at least 1")
    if not (args.scifact / "corpus.jsonl").is_file():
        parser.error(f"no corpus.jsonl in {args.scifact}; pass --scifact DIR")
    before = os.getloadavg()[0]
    table = render(measure(args.passages, args.scifact, args.rounds))
    print(table)
    print(
        f"\n{os.cpu_count()} cores; 1-minute load average {before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (figures from a busy machine are not comparable "
        "with a quiet one's; the ratios within one run are)"
    )


if __name__ == "__main__":
    main()
