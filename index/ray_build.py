"""`rag index --ray [ADDRESS]`: chunking and embedding on Ray Data, the version written as a
local build writes it.

The driver reads the corpus and decides, exactly as a local build does (index/incremental.py),
which documents must be redone. Ray Data then does the work that takes the time:

1. `map_batches` over those documents prepares them (chunks and sentences) on the workers;
2. `map_batches` over the build's own embedding groups (index.build.embedding_groups) embeds
   them in an actor pool, one embedder per worker, each group in one `embed` call, as a local
   build embeds it; so the vectors, and with them every file and checksum, are the same.

The parts come back to the driver, which writes the version through the same `write_parts`.
With no address a local Ray is started with the machine's cores (or `cpus`); with one, the
driver joins that cluster, whose nodes must have this package installed. Workers use the
embedding cache when its file is reachable from them (a local Ray, a shared file system) and
a private one otherwise. Ray is imported only here, and only when such a build runs.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from index.build import BuildOptions, DocumentParts, Log, make_parts
from ingest.documents import Document
from ingest.embed import Embedder, EmbedderConfig, EmbeddingCache, create_embedder
from ingest.pipeline import PreparedDocument, prepare_documents

PREPARE_BATCH = 64  # documents per prepare task


class RayUnavailable(RuntimeError):
    """Ray is not installed (`pip install -e '.[scale]'`) or the cluster cannot be reached."""


@dataclass(frozen=True)
class RayCluster:
    """Where the work runs: an existing cluster's address, or a local Ray of `cpus` cores."""

    address: str | None = None
    cpus: int | None = None

    def workers(self, ray: Any) -> int:
        return max(int(ray.cluster_resources().get("CPU", 1)), 1)


def start(cluster: RayCluster) -> Any:
    """`ray`, initialised: joined to the cluster, or a local one started for this build."""
    try:
        import ray
    except ImportError as error:
        raise RayUnavailable(
            "Ray is not installed; install the scale extra: pip install -e '.[scale]'"
        ) from error
    if ray.is_initialized():
        return ray
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    try:
        if cluster.address:
            ray.init(address=cluster.address, **options)
        else:
            ray.init(num_cpus=cluster.cpus or os.cpu_count() or 1, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = cluster.address or "a local Ray"
        raise RayUnavailable(f"cannot start or join {where}: {error}") from error
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the build logs its own progress
    context.print_on_execution_start = False
    return ray


def _prepare_batch(batch: dict[str, np.ndarray], options: BuildOptions) -> dict[str, Any]:
    documents = [pickle.loads(raw) for raw in batch["document"]]
    prepared = prepare_documents(documents, options.chunking, with_sentences=options.with_sentences)
    return {"row": batch["row"], "prepared": [pickle.dumps(p) for p in prepared]}


class _EmbedWorker:
    """One embedder per Ray worker (an actor), loaded once and used for every group it gets."""

    def __init__(self, config: EmbedderConfig, cache_path: str | None) -> None:
        self.embedder = create_embedder(config, cache=_worker_cache(cache_path))
        self.embedder.warm_up()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        vectors = [
            np.asarray(self.embedder.embed(pickle.loads(raw)), dtype=np.float32)
            for raw in batch["texts"]
        ]
        return {"group": batch["group"], "vectors": [pickle.dumps(v) for v in vectors]}


def _worker_cache(cache_path: str | None) -> EmbeddingCache:
    """The build's embedding cache where this worker can reach it, else a private one (so
    the worker still embeds exactly as a cached local build does: duplicates once each)."""
    if (
        cache_path
        and Path(cache_path).parent.is_dir()
        and os.access(Path(cache_path).parent, os.W_OK)
    ):
        return EmbeddingCache(Path(cache_path))
    return EmbeddingCache(Path(tempfile.mkdtemp(prefix="rag-embed-")) / "embeddings.sqlite3")


def _by_row(rows: list[dict[str, Any]], key: str, value: str) -> list[Any]:
    ordered = sorted(rows, key=lambda r: int(r[key]))
    return [pickle.loads(r[value]) for r in ordered]


def ray_prepare(
    ray: Any, documents: Sequence[Document], options: BuildOptions
) -> list[PreparedDocument]:
    """Documents chunked and segmented by Ray Data tasks, in their original order."""
    items = [{"row": i, "document": pickle.dumps(d)} for i, d in enumerate(documents)]
    dataset = ray.data.from_items(items).map_batches(
        partial(_prepare_batch, options=options), batch_size=PREPARE_BATCH
    )
    return _by_row(dataset.take_all(), "row", "prepared")


def ray_embed(
    ray: Any, config: EmbedderConfig, cache_path: str | None, workers: int
) -> Callable[[list[list[str]]], list[np.ndarray]]:
    """The build's embedding groups embedded by a pool of `workers` embedder actors."""
    per_worker = replace(config, threads=1)

    def embed(groups: list[list[str]]) -> list[np.ndarray]:
        if not groups:
            return []
        items = [{"group": i, "texts": pickle.dumps(g)} for i, g in enumerate(groups)]
        dataset = ray.data.from_items(items).map_batches(
            _EmbedWorker,
            fn_constructor_args=(per_worker, cache_path),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(groups)))),
            num_cpus=1,
        )
        return _by_row(dataset.take_all(), "group", "vectors")

    return embed


def ray_parts_maker(
    cluster: RayCluster, config: EmbedderConfig, cache_path: Path | None
) -> Callable[[Sequence[Document], Embedder, BuildOptions, Log], list[DocumentParts]]:
    """A `make` for index.incremental.apply_changes that prepares and embeds on Ray."""

    def make(
        documents: Sequence[Document], embedder: Embedder, options: BuildOptions, log: Log
    ) -> list[DocumentParts]:
        if not documents:
            return []
        ray = start(cluster)
        workers = cluster.workers(ray)
        log(f"Ray: {len(documents)} documents to prepare and embed on {workers} CPUs")
        return make_parts(
            documents,
            embedder,
            options,
            log,
            prepare=partial(ray_prepare, ray),
            embed=ray_embed(ray, config, str(cache_path) if cache_path else None, workers),
        )

    return make
