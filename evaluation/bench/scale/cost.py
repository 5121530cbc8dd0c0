"""The cost curve on one machine: index build, size, memory, latency and recall by corpus size.

    python -m evaluation.bench.scale.cost --passages 10000,100000,1000000 [--scifact DIR]
        [--work DIR] [--questions 100] [--plot evaluation/figures/scale.png]

For each size it assembles a corpus (evaluation/bench/scale/corpus.py: SciFact's real passages and
vectors, then synthetic copies with noisy vectors), writes an index version through the same
`write_parts` every build uses (FAISS type by size, BM25, sentence tables), then measures it
in a fresh process that serves it as `rag serve` would (memory-mapped, through Engine.ask).
It prints one JSON line per size:

    passages, index (FAISS type and parameters), build_s (writing the version: FAISS, BM25,
    tables; no embedding), index_bytes, rss_mb (the measuring process: model, this index and
    the bundled one), ask_p50_ms / ask_p95_ms (in process, the real question path, SciFact's
    questions), recall_at_10 (the dense index against exact search over the same vectors, on
    the same questions), base_ask_p50_ms (the bundled corpus, asked in turn with the large
    one in the same process)

Embedding is reported apart (stderr): the real model's measured passages per second and what
embedding the size would take. Nothing is asserted: this is a benchmark.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from evaluation.bench.scale.corpus import load_source, synthetic_parts
from index.build import BuildOptions, CorpusRecord, write_parts
from index.storage.layout import stored_dtype
from index.storage.store import build_lock, current_version
from ingest.chunk import ChunkingConfig
from ingest.embed import EmbedderConfig, create_embedder
from service.config import PROJECT_ROOT, Settings, settings_from_env
from service.indexing import embedder_config, make_embedder

DEFAULT_SCIFACT = PROJECT_ROOT.parent / "shared" / "benchmarks" / "scifact"
FIELDS = (
    "passages",
    "index",
    "build_s",
    "index_bytes",
    "rss_mb",
    "ask_p50_ms",
    "ask_p95_ms",
    "recall_at_10",
    "base_ask_p50_ms",
)
EMBED_SAMPLE = 256


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def embedding_rate(settings: Settings, texts: list[str]) -> float:
    """Passages per second of the configured model with no cache (the real cost)."""
    config: EmbedderConfig = embedder_config(settings)
    embedder = create_embedder(config, cache=None)
    embedder.warm_up()
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def build_size(root: Path, parts: list, model: dict) -> float:
    """Write one version of these parts; seconds taken (no embedding: the parts carry vectors)."""
    if root.exists():
        shutil.rmtree(root)
    options = BuildOptions(ChunkingConfig(), keep_versions=1)
    started = time.perf_counter()
    with build_lock(root):
        write_parts(root, parts, model, CorpusRecord({}), options)
    return time.perf_counter() - started


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def run_size(args: argparse.Namespace, settings: Settings, source, model: dict, size: int) -> dict:
    root = args.work / f"{size}"
    parts = list(synthetic_parts(source, size, stored_dtype(size)))
    passages = sum(len(p.chunks) for p in parts)
    note(f"{size}: {len(parts)} documents, {passages} passages; writing the index")
    build_s = build_size(root, parts, model)
    del parts
    gc.collect()
    version = current_version(root)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    command = [
        sys.executable, "-m", "evaluation.bench.scale.measure", str(root), str(args.work / "base"),
        str(settings.cache_dir), str(args.scifact), str(args.questions),
    ]  # fmt: skip
    measured = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True).stdout
    )
    note(f"{size}: peak resident {measured['hwm_mb']} MB while measuring")
    return {
        "passages": passages,
        "index": manifest["dense"],
        "build_s": round(build_s, 1),
        "index_bytes": directory_bytes(version),
        "rss_mb": measured["rss_mb"],
        "ask_p50_ms": measured["ask_p50_ms"],
        "ask_p95_ms": measured["ask_p95_ms"],
        "recall_at_10": measured["recall_at_10"],
        "base_ask_p50_ms": measured["base_ask_p50_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", default="10000,100000,1000000")
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT)
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "var" / "scale")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--plot", type=Path, default=None, help="write the curve as a PNG")
    parser.add_argument("--results", type=Path, default=None, help="append the JSON lines here")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/scale.md alone")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.passages.split(",") if n.strip()]
    settings = settings_from_env()
    embedder = make_embedder(settings)
    embedder.warm_up()
    note("reading SciFact and its passage vectors (embedded once, then cached)")
    source = load_source(args.scifact, embedder, ChunkingConfig())
    texts = [c.text for p in source.prepared[:EMBED_SAMPLE] for c in p.chunks][:EMBED_SAMPLE]
    rate = embedding_rate(settings, texts)
    model = asdict(embedder.info())
    rows = []
    for size in sizes:
        row = run_size(args, settings, source, model, size)
        note(
            f"{size}: embedding would take {row['passages'] / rate / 3600:.1f} h for the "
            f"passages alone at {rate:.1f} passages/s (sentences about three times that)"
        )
        print(json.dumps({k: row[k] for k in FIELDS}), flush=True)
        if args.results:
            with args.results.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
        rows.append(row)
    if args.plot:
        from evaluation.bench.scale.plot import plot

        plot(rows, args.plot)
    if not args.no_docs:
        from evaluation.runs.docs_figures import DOCS, module_command, publish

        command = module_command("evaluation.bench.scale.cost", argv)
        publish(DOCS / "scale.md", "scale", command, figures_table(rows))
    return 0


def figures_table(rows: list[dict]) -> str:
    """The docs' block: one row per size, as the JSON lines say."""
    headers = ["passages", "FAISS index (manifest)", "build_s", "index on disk", "rss_mb",
               "/ask p50", "/ask p95", "recall@10", "bundled p50", "p50 ratio"]  # fmt: skip
    table = [
        [
            f"{r['passages']:,}",
            f"`{r['index'].get('factory', r['index']['type'])}`"
            + (f", nprobe {r['index']['nprobe']}" if "nprobe" in r["index"] else " (exact)"),
            f"{r['build_s']:.1f}",
            f"{r['index_bytes'] / 1e6:,.0f} MB",
            f"{r['rss_mb']:,.0f}",
            f"{r['ask_p50_ms']:.1f} ms",
            f"{r['ask_p95_ms']:.1f} ms",
            f"{r['recall_at_10']:.3f}",
            f"{r['base_ask_p50_ms']:.1f} ms",
            f"{r['ask_p50_ms'] / r['base_ask_p50_ms']:.2f}×",
        ]
        for r in rows
    ]
    from evaluation.runs.report import markdown_table

    return markdown_table(headers, table, left=(0, 1))


if __name__ == "__main__":
    raise SystemExit(main())
