"""How long indexing takes: SciFact from scratch, one document added, and a build with no change.

SciFact's 5,183 abstracts are written as one `.txt` each (title, blank line, abstract: the
BEIR runner's document text) into a folder outside the repository, and indexed through the
same path `rag index` takes (ingest.corpus, then index/incremental.py):

1. from scratch, with a cold embedding cache of its own (`--cold-cache`, emptied first);
2. one new document added, incrementally, the cache now warm;
3. the same corpus again with `--full` (every document re-chunked, vectors from the cache);
4. no change at all (nothing is published);
5. `rag gc` of the bench's index root.

It prints figures and asserts nothing about time. The ONNX export is read from the project's
cache (`--export-cache`) so that the cold run times embedding, not the one-off export.

    python -m evaluation.bench.indexing --scifact ../shared/benchmarks/scifact [--limit N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from evaluation.beir.data import document_text, load_corpus
from evaluation.runs.docs_figures import DOCS, module_command, publish
from evaluation.runs.report import markdown_table
from index.storage.retention import collect_garbage
from ingest.embed import EmbeddingCache, create_embedder
from ingest.embed.cache import CACHE_FILE
from service.config import PROJECT_ROOT, Settings
from service.indexing import build, embedder_config

T = TypeVar("T")
DEFAULT_SCIFACT = PROJECT_ROOT.parent / "shared" / "benchmarks" / "scifact"
NEW_DOCUMENT = """Sourdough Starters and Lactic Acid Bacteria

A sourdough starter kept at room temperature needs feeding once a day. Its lactic acid bacteria \
outnumber the yeasts by about one hundred to one, and the acids they make lower the pH of the \
dough below four within a day of feeding.
"""


def write_corpus(scifact: Path, folder: Path, limit: int | None) -> int:
    """One .txt per SciFact abstract; returns how many were written."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    corpus = load_corpus(scifact / "corpus.jsonl")
    items = list(corpus.items())[:limit]
    for doc_id, (title, body) in items:
        (folder / f"{doc_id}.txt").write_text(document_text(title, body), encoding="utf-8")
    return len(items)


def timed(label: str, run: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s", flush=True)
    return result, seconds


def say(message: str) -> None:
    print(f"    {message}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-index-bench"))
    parser.add_argument("--cold-cache", type=Path, default=None, help="default WORK/cold-cache")
    parser.add_argument("--export-cache", type=Path, default=PROJECT_ROOT / "var" / "cache")
    parser.add_argument("--limit", type=int, default=None, help="only the first N abstracts")
    parser.add_argument("--keep-cache", action="store_true", help="do not empty the cold cache")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/operations.md alone")
    args = parser.parse_args()

    corpus_dir, index_dir = args.work / "corpus", args.work / "index"
    cache_dir = args.cold_cache or args.work / "cold-cache"
    if cache_dir.exists() and not args.keep_cache:
        shutil.rmtree(cache_dir)
    if index_dir.exists():
        shutil.rmtree(index_dir)
    count = write_corpus(args.scifact, corpus_dir, args.limit)
    settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir, cache_dir=cache_dir)
    config = replace(embedder_config(settings), export_root=args.export_cache / "onnx")
    cache = EmbeddingCache(cache_dir / CACHE_FILE)
    embedder = create_embedder(config, cache=cache, log=say)
    _, warm_s = timed("model load", embedder.warm_up)
    print(f"backend {embedder.info().backend}, {count} documents in {corpus_dir}", flush=True)
    rows = cache.count()
    print(f"embedding cache {cache.path}: {rows} rows before the first build")

    temperature = "cold" if rows == 0 else "warm (--keep-cache)"
    first, scratch_s = timed(
        f"1. from scratch, {temperature} cache", lambda: build(settings, embedder, log=say)
    )
    print(f"    {first.version.name}: {first.changes.summary()}")
    print(f"    rows in the cache now: {cache.count()}")
    (corpus_dir / "zz-sourdough.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    added, add_s = timed(
        "2. add one document, warm cache", lambda: build(settings, embedder, log=say)
    )
    print(f"    changes: {added.changes.summary()}; published {added.published}")
    _, full_s = timed(
        "3. full rebuild (--full), warm cache",
        lambda: build(settings, embedder, full=True, log=say),
    )
    same, same_s = timed("4. no change", lambda: build(settings, embedder, log=say))
    print(f"    published {same.published}")
    report, gc_s = timed(
        "5. rag gc", lambda: collect_garbage(index_dir, settings.keep_versions, cache.path)
    )
    print(
        f"    kept {len(report.retention.kept)}, deleted {len(report.retention.deleted)}; "
        f"cache {report.cache}"
    )
    print(
        f"\nSUMMARY documents={count} scratch_s={scratch_s:.1f} ({temperature} cache) "
        f"add_one_s={add_s:.2f} "
        f"full_warm_s={full_s:.1f} no_change_s={same_s:.2f} gc_s={gc_s:.2f} "
        f"model_load_s={warm_s:.1f}"
    )
    if not args.no_docs:
        steps = {
            f"from scratch, {temperature} cache": scratch_s,
            "one document added, warm cache": add_s,
            "`--full`, warm cache": full_s,
            "no change (nothing published)": same_s,
            "`rag gc`": gc_s,
            "model load": warm_s,
        }
        table = markdown_table(["build", "seconds"], [[k, f"{v:.2f}"] for k, v in steps.items()])
        what = f"{count} SciFact abstracts, one `.txt` each; {embedder.info().backend} backend; "
        load = f"{os.cpu_count()} cores, 1-minute load average {os.getloadavg()[0]:.1f} at the end."
        command = module_command("evaluation.bench.indexing")
        publish(DOCS / "operations.md", "indexing", command, f"{what}{load}\n\n{table}")


if __name__ == "__main__":
    main()
