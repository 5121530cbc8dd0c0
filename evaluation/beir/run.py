"""Running a BEIR dataset through the service's own retrieval, scored as BEIR scores it.

Each document is chunked and embedded exactly as the articles are; passages are aggregated to
documents (a document ranks where its best passage ranks) and scored with nDCG@10, Recall@100
and MRR@10 for every retrieval mode. As BEIR's `ignore_identical_ids` (on by default there and
here), a retrieved document whose id equals the query id is dropped before scoring: in ArguAna
or Quora every query is itself a corpus document, and finding it proves nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from evaluation.beir.data import DOCUMENT_TEXT, BeirError, load_dataset, to_documents
from evaluation.beir.report import published_for
from evaluation.runs.report import git_commit
from evaluation.scoring import metrics
from ingest.chunk import ChunkingConfig
from ingest.documents import Document
from ingest.log import Log, quiet
from service.retrieval.modes import Mode

MODES = Mode.names()
PASSAGE_DEPTH = 300  # passages retrieved per query before aggregating to documents
DOC_CUTOFF = 100  # documents kept per query (Recall@100 needs 100)


def index_root(index_dir: Path, dataset: str, chunking: ChunkingConfig) -> Path:
    """Where a dataset's index lives: beside the articles' index, one per chunking."""
    return index_dir.parent / "beir" / dataset / f"{chunking.chunk_size}-{chunking.chunk_overlap}"


def ensure_index(
    documents: list[Document],
    embedder,
    chunking: ChunkingConfig,
    root: Path,
    *,
    progress: bool = False,
    log: Log = quiet,
):
    """The dataset's index, reused when its manifest matches documents, model and chunking."""
    from index.build import build_index
    from index.load import load_index
    from index.storage.manifest import (
        IndexNotFound,
        IndexProblem,
        corpus_changes,
        incompatibilities,
    )

    try:
        index = load_index(root)
        problems = incompatibilities(
            index.manifest,
            model={"name": embedder.name, "fingerprint": embedder.fingerprint},
            chunking=asdict(chunking),
        )
        problems += corpus_changes(index.manifest, {d.source: d.sha256 for d in documents})
        if not problems:
            log(f"reusing the index at {index.path}")
            return index
        shown = "; ".join(problems[:3]) + (
            f"; … ({len(problems)} in all)" if len(problems) > 3 else ""
        )
        log(f"rebuilding the index at {root}: {shown}")
    except IndexNotFound:
        log(f"building the index at {root}")
    except IndexProblem as error:
        log(f"rebuilding the index at {root}: {error}")
    build_index(
        documents, embedder, chunking, root, with_sentences=False, progress=progress, log=log
    )
    return load_index(root)


def documents_ranking(
    doc_ids: Iterable[str], cutoff: int = DOC_CUTOFF, drop: str | None = None
) -> list[str]:
    """Ranked passages' document ids -> ranked documents, each where its best passage was;
    the document `drop` (the query's own id, BEIR's ignore_identical_ids) is left out."""
    ranking: list[str] = []
    seen: set[str] = {drop} if drop is not None else set()
    for doc_id in doc_ids:
        if doc_id not in seen:
            seen.add(doc_id)
            ranking.append(doc_id)
            if len(ranking) == cutoff:
                break
    return ranking


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> tuple[dict, dict]:
    """Overall figures and per-query figures of one mode's document run."""
    results = {
        "ndcg@10": metrics.ndcg_at_k(run, qrels, 10),
        "recall@100": metrics.recall_at_k(run, qrels, 100),
        "mrr@10": metrics.mrr_at_k(run, qrels, 10),
        "hit@10": metrics.hit_at_k(run, qrels, 10),
    }
    overall = {name: _clean(result.overall) for name, result in results.items()}
    per_query = {
        query: {name: round(result.per_case[query], 4) for name, result in results.items()}
        for query in results["ndcg@10"].per_case
    }
    return overall, per_query


def run_mode(
    index,
    queries: dict[str, object],
    mode: str,
    fusion=None,
    *,
    ignore_identical_ids: bool = True,
) -> tuple[dict[str, list[str]], int]:
    """Ranked document ids for every (typed) query, by query id, under one retrieval mode, and
    how many queries retrieved their own id (dropped unless `ignore_identical_ids` is off)."""
    from service.retrieval.retrieve import FusionConfig, retrieve

    fusion, chosen = fusion or FusionConfig(), Mode.from_str(mode)
    run: dict[str, list[str]] = {}
    found_itself = 0
    for query_id, query in queries.items():
        passages = [h.chunk.doc_id for h in retrieve(index, query, PASSAGE_DEPTH, chosen, fusion)]
        found_itself += query_id in passages
        drop = query_id if ignore_identical_ids else None
        run[query_id] = documents_ranking(passages, drop=drop)
    return run, found_itself


def run_beir(
    directory: Path,
    settings,
    *,
    modes: Sequence[str] = MODES,
    split: str = "test",
    chunking: ChunkingConfig | None = None,
    limit_queries: int | None = None,
    ignore_identical_ids: bool = True,
    embedder=None,
    progress: bool = False,
    log: Log = quiet,
) -> dict:
    """Index the dataset (or reuse its index), run its queries in every mode, return a report."""
    from service.indexing import make_embedder, make_query_embedder
    from service.question.query import build_query, focused_text
    from service.serving import ServingIndex

    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise BeirError(f"--modes must be a comma-separated subset of {','.join(MODES)}")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    chunking = chunking or settings.chunking
    dataset = load_dataset(directory, split, limit_queries)
    if dataset.dropped_queries:
        log(f"{len(dataset.dropped_queries)} judged queries have no text in queries.jsonl; skipped")
    log(f"{dataset.name}: {len(dataset.corpus)} documents, {len(dataset.queries)} {split} queries")
    # Queries are embedded as the service embeds questions (RAG_QUERY_PRECISION), unless the
    # caller hands over its own embedder, which then embeds both sides.
    chosen = embedder or make_embedder(settings)
    query_embedder = embedder or make_query_embedder(settings, chosen, log=log)
    embedder = chosen
    documents = to_documents(dataset.corpus)
    mark = time.perf_counter()
    root = index_root(settings.index_dir, dataset.name, chunking)
    index = ServingIndex.of(
        ensure_index(documents, embedder, chunking, root, progress=progress, log=log)
    )
    indexed_s = time.perf_counter() - mark

    mark = time.perf_counter()
    texts = [focused_text(t) for t in dataset.queries.values()]
    log(f"embedding {len(texts)} queries")
    vectors = dict(zip(texts, query_embedder.embed(texts, progress=progress), strict=False))
    queries = {
        query_id: build_query(text, index, vectors.__getitem__)
        for query_id, text in dataset.queries.items()
    }
    embedded_s = time.perf_counter() - mark

    figures: dict[str, dict] = {}
    per_query: dict[str, dict] = {}
    found_itself: dict[str, int] = {}
    timings = {"index_s": round(indexed_s, 2), "embed_queries_s": round(embedded_s, 2)}
    for mode in modes:
        mark = time.perf_counter()
        run, found_itself[mode] = run_mode(
            index, queries, mode, ignore_identical_ids=ignore_identical_ids
        )
        timings[f"retrieve_{mode}_s"] = round(time.perf_counter() - mark, 2)
        figures[mode], scores = score_run(run, dataset.qrels)
        for query, values in scores.items():
            per_query.setdefault(query, {})[mode] = values | {"top10": run[query][:10]}
    if ignore_identical_ids and any(found_itself.values()):
        log(
            "dropped the query's own id from its results (BEIR's ignore_identical_ids; "
            "--keep-identical-ids keeps it): "
            + ", ".join(f"{mode} {n} queries" for mode, n in found_itself.items())
        )
    timings["total_s"] = round(time.perf_counter() - clock, 2)
    return {
        "benchmark": "beir",
        "dataset": dataset.name,
        "directory": str(directory),
        "split": split,
        "started_at": started_at,
        "git_commit": git_commit(),
        "config": {
            "modes": list(modes),
            "chunking": asdict(chunking),
            "model": {"name": embedder.name, "fingerprint": embedder.fingerprint},
            "query_model": {
                "name": query_embedder.name,
                "fingerprint": query_embedder.fingerprint,
            },
            "passage_depth": PASSAGE_DEPTH,
            "document_cutoff": DOC_CUTOFF,
            "limit_queries": limit_queries,
            "document_text": DOCUMENT_TEXT,
            "ignore_identical_ids": ignore_identical_ids,
        },
        "counts": {
            "documents": len(dataset.corpus),
            "chunks": len(index.chunks),
            "queries": len(dataset.queries),
            "judged_pairs": sum(
                1 for docs in dataset.qrels.values() for grade in docs.values() if grade > 0
            ),
            "dropped_queries": len(dataset.dropped_queries),
            "queries_retrieving_their_own_id": found_itself,
        },
        "index": {
            **asdict(index.manifest),
            "documents": len(index.manifest.documents),
            "path": str(index.path),
        },
        "timings": timings,
        "modes": figures,
        "published": [asdict(p) for p in published_for(dataset.name)],
        "per_query": per_query,
    }
