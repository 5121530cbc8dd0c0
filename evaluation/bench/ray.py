"""Ray ingest against a local build on SciFact: time, and whether the output is identical.

    python -m evaluation.bench.ray [--scifact DIR] [--limit N] [--cpus 2] [--work DIR]

SciFact's abstracts (the first N) are written as one .txt each (evaluation.bench.indexing), then
indexed twice from scratch, each with a cold embedding cache of its own: once by the local
build (`rag index`), once with chunking and embedding on a local Ray of `--cpus` CPUs
(`rag index --ray`). The Ray time includes starting Ray and its workers. The ONNX export is
copied in from the project's cache, so neither run times the one-off export. Prints both
times, their ratio, and whether every file of the two versions has the same size and SHA-256.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

from evaluation.bench.indexing import DEFAULT_SCIFACT, write_corpus
from index.ray_build import RayCluster, ray_parts_maker, start
from index.storage.store import current_version
from ingest.embed import EmbeddingCache, create_embedder
from ingest.embed.cache import CACHE_FILE
from service.config import PROJECT_ROOT, Settings
from service.indexing import build, embedder_config


def fresh(settings: Settings, export_cache: Path) -> tuple[Settings, object]:
    """An empty index root and embedding cache, with the project's ONNX export copied in."""
    for folder in (settings.index_dir, settings.cache_dir):
        if folder.exists():
            shutil.rmtree(folder)
    shutil.copytree(export_cache / "onnx", settings.cache_dir / "onnx")
    config = embedder_config(settings)
    embedder = create_embedder(config, cache=EmbeddingCache(settings.cache_dir / CACHE_FILE))
    return settings, embedder


def files_of(root: Path) -> dict:
    return json.loads((current_version(root) / "manifest.json").read_text())["files"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-ray-bench"))
    parser.add_argument("--export-cache", type=Path, default=PROJECT_ROOT / "var" / "cache")
    parser.add_argument("--limit", type=int, default=300, help="the first N abstracts")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray")
    args = parser.parse_args()
    corpus = args.work / "corpus"
    count = write_corpus(args.scifact, corpus, args.limit)
    base = Settings(corpus_dir=corpus, index_dir=args.work / "local", cache_dir=args.work / "c1")
    local, embedder = fresh(base, args.export_cache)
    embedder.warm_up()
    started = time.perf_counter()
    build(local, embedder, full=True)
    local_s = time.perf_counter() - started
    print(f"local build: {local_s:.1f} s for {count} abstracts", flush=True)

    other = replace(base, index_dir=args.work / "ray", cache_dir=args.work / "c2")
    on_ray, driver = fresh(other, args.export_cache)
    started = time.perf_counter()
    start(RayCluster(cpus=args.cpus))
    make = ray_parts_maker(
        RayCluster(cpus=args.cpus), embedder_config(on_ray), on_ray.cache_dir / CACHE_FILE
    )
    build(on_ray, driver, full=True, make=make)
    ray_s = time.perf_counter() - started
    same = files_of(local.index_dir) == files_of(on_ray.index_dir)
    print(f"Ray build ({args.cpus} CPUs, start-up included): {ray_s:.1f} s", flush=True)
    print(
        f"SUMMARY abstracts={count} local_s={local_s:.1f} ray_s={ray_s:.1f} "
        f"ratio={ray_s / local_s:.2f} identical_files={same}"
    )


if __name__ == "__main__":
    main()
