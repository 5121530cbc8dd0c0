"""Retrieval measured on a public BEIR-format benchmark, comparable with published figures.

A BEIR dataset is a folder with `corpus.jsonl` ({"_id", "title", "text"}), `queries.jsonl`
({"_id", "text"}) and `qrels/<split>.tsv` (query-id, corpus-id, score; header line). Each
document is indexed as its title, a blank line and its text, chunked and embedded exactly as
the articles are; passages are then aggregated to documents (a document ranks where its best
passage ranks) and scored with nDCG@10, Recall@100 and MRR@10 for every retrieval mode.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from evaluation import metrics
from evaluation.report import fmt, git_commit, markdown_table, text_table, write_json
from ingest.chunk import ChunkingConfig
from ingest.documents import Document, content_hash

MODES = ("dense", "bm25", "hybrid")
PASSAGE_DEPTH = 300  # passages retrieved per query before aggregating to documents
DOC_CUTOFF = 100  # documents kept per query (Recall@100 needs 100)
FIGURES = ("ndcg@10", "recall@100", "mrr@10", "hit@10")

Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


class BeirError(ValueError):
    """The dataset folder is not usable BEIR data; the message names the file and line."""


@dataclass(frozen=True)
class Published:
    """A published result to show beside ours (test split unless stated)."""

    mode: str  # which of our modes it is comparable with
    system: str
    ndcg_at_10: float
    recall_at_100: float | None
    source: str


# From ../shared/benchmarks/scifact/README.md (each figure traced to its paper or results file).
PUBLISHED: dict[str, tuple[Published, ...]] = {
    "scifact": (
        Published(
            "dense",
            "all-MiniLM-L6-v2, dense (MTEB)",
            0.6451,
            0.925,
            "MTEB paper results, mtebpaper results/all-MiniLM-L6-v2/SciFact.json",
        ),
        Published(
            "bm25",
            "BM25, Elasticsearch (BEIR paper)",
            0.665,
            None,
            "Thakur et al. 2021, BEIR, Table 2",
        ),
        Published(
            "bm25",
            "BM25 flat, Lucene k1=0.9 b=0.4 (Pyserini)",
            0.6789,
            0.9253,
            "pyserini 2cr beir.yaml, bm25-flat",
        ),
        Published(
            "hybrid",
            "BM25 + cross-encoder rerank (BEIR paper)",
            0.688,
            None,
            "Thakur et al. 2021, BEIR, Table 2 (a reranker, not a fusion)",
        ),
    )
}


@dataclass(frozen=True)
class BeirDataset:
    name: str
    directory: Path
    split: str
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]  # query id -> text, only those evaluated, in qrels order
    qrels: dict[str, dict[str, int]]
    dropped_queries: tuple[str, ...] = ()  # in the qrels but without a query text


# --- loading ----------------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    if not path.is_file():
        raise BeirError(
            f"{path} does not exist (a BEIR folder has corpus.jsonl, queries.jsonl "
            "and qrels/<split>.tsv)"
        )
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise BeirError(f"{path.name} line {number}: invalid JSON ({error.msg})") from error
            if not isinstance(record, dict) or not isinstance(record.get("_id"), str | int):
                raise BeirError(f"{path.name} line {number}: expected an object with an '_id'")
            yield number, record


def load_corpus(path: Path) -> dict[str, tuple[str, str]]:
    """doc id -> (title, text); a duplicate id is an error."""
    corpus: dict[str, tuple[str, str]] = {}
    for number, record in _jsonl(path):
        doc_id = str(record["_id"])
        if doc_id in corpus:
            raise BeirError(f"{path.name} line {number}: duplicate _id {doc_id!r}")
        corpus[doc_id] = (str(record.get("title") or "").strip(), str(record.get("text") or ""))
    if not corpus:
        raise BeirError(f"{path} holds no document")
    return corpus


def load_queries(path: Path) -> dict[str, str]:
    return {str(record["_id"]): str(record.get("text") or "") for _, record in _jsonl(path)}


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query id -> {doc id: grade}; "\\r" stripped, a header line skipped, order kept."""
    if not path.is_file():
        raise BeirError(f"{path} does not exist")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) == 4:  # TREC style: query, iteration, doc, grade
                fields = [fields[0], fields[2], fields[3]]
            if len(fields) != 3:
                raise BeirError(f"{path.name} line {number}: expected 3 tab-separated fields")
            query, doc, grade = (f.strip() for f in fields)
            try:
                value = int(float(grade))
            except ValueError as error:
                if number == 1:  # the header: query-id corpus-id score
                    continue
                raise BeirError(
                    f"{path.name} line {number}: score {grade!r} is not a number"
                ) from error
            qrels.setdefault(query, {})[doc] = value
    return qrels


def load_dataset(
    directory: Path, split: str = "test", limit_queries: int | None = None
) -> BeirDataset:
    """The corpus, and the queries of `split` that have a relevance judgement (optionally the
    first `limit_queries` of them, in qrels order)."""
    if not directory.is_dir():
        raise BeirError(f"BEIR dataset folder {directory} does not exist")
    qrels_path = directory / "qrels" / f"{split}.tsv"
    qrels = load_qrels(qrels_path)
    corpus = load_corpus(directory / "corpus.jsonl")
    texts = load_queries(directory / "queries.jsonl")
    judged = [q for q, docs in qrels.items() if any(grade > 0 for grade in docs.values())]
    dropped = tuple(q for q in judged if q not in texts)
    kept = [q for q in judged if q in texts]
    if limit_queries is not None:
        kept = kept[:limit_queries]
    if not kept:
        raise BeirError(f"{qrels_path} has no judged query that queries.jsonl holds")
    return BeirDataset(
        name=directory.resolve().name,
        directory=directory,
        split=split,
        corpus=corpus,
        queries={q: texts[q] for q in kept},
        qrels={q: qrels[q] for q in kept},
        dropped_queries=dropped,
    )


def to_documents(corpus: dict[str, tuple[str, str]]) -> list[Document]:
    """One Document per abstract: the title is its own heading line above the text."""
    documents = []
    for doc_id, (title, body) in corpus.items():
        text = f"{title}\n\n{body}" if title else body
        if not text.strip():
            text = doc_id  # an empty document still gets a passage, so ids stay aligned
        documents.append(
            Document(
                doc_id=doc_id,
                title=title or doc_id,
                source=doc_id,
                text=text,
                sha256=content_hash(text),
            )
        )
    return documents


# --- indexing ---------------------------------------------------------------------------------


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
    log: Log = _quiet,
):
    """The dataset's index, reused when its manifest matches documents, model and chunking."""
    from index.build import build_index
    from index.load import load_index
    from index.manifest import IndexNotFound, IndexProblem, corpus_changes, incompatibilities

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


# --- retrieval and scoring --------------------------------------------------------------------


def documents_ranking(doc_ids: Iterable[str], cutoff: int = DOC_CUTOFF) -> list[str]:
    """Ranked passages' document ids -> ranked documents, each where its best passage was."""
    ranking: list[str] = []
    seen: set[str] = set()
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


def run_mode(index, queries: Sequence, mode: str, fusion=None) -> list[list[str]]:
    """Ranked document ids for every (typed) query under one retrieval mode."""
    from service.retrieval.modes import Mode
    from service.retrieval.retrieve import FusionConfig, retrieve

    fusion, chosen = fusion or FusionConfig(), Mode.from_str(mode)
    return [
        documents_ranking(
            hit.chunk.doc_id for hit in retrieve(index, query, PASSAGE_DEPTH, chosen, fusion)
        )
        for query in queries
    ]


def run_beir(
    directory: Path,
    settings,
    *,
    modes: Sequence[str] = MODES,
    split: str = "test",
    chunking: ChunkingConfig | None = None,
    limit_queries: int | None = None,
    embedder=None,
    progress: bool = False,
    log: Log = _quiet,
) -> dict:
    """Index the dataset (or reuse its index), run its queries in every mode, return a report."""
    from service.engine import make_embedder
    from service.query import build_query, focused_text
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
    embedder = embedder or make_embedder(settings)
    documents = to_documents(dataset.corpus)
    mark = time.perf_counter()
    root = index_root(settings.index_dir, dataset.name, chunking)
    index = ServingIndex.of(
        ensure_index(documents, embedder, chunking, root, progress=progress, log=log)
    )
    indexed_s = time.perf_counter() - mark

    mark = time.perf_counter()
    raw = list(dataset.queries.values())
    texts = [focused_text(t) for t in raw]
    log(f"embedding {len(texts)} queries")
    vectors = dict(zip(texts, embedder.embed(texts, progress=progress), strict=False))
    queries = [build_query(t, index, vectors.__getitem__) for t in raw]
    embedded_s = time.perf_counter() - mark

    figures: dict[str, dict] = {}
    per_query: dict[str, dict] = {}
    timings = {"index_s": round(indexed_s, 2), "embed_queries_s": round(embedded_s, 2)}
    ids = list(dataset.queries)
    for mode in modes:
        mark = time.perf_counter()
        rankings = run_mode(index, queries, mode)
        timings[f"retrieve_{mode}_s"] = round(time.perf_counter() - mark, 2)
        run = dict(zip(ids, rankings, strict=True))
        figures[mode], scores = score_run(run, dataset.qrels)
        for query, values in scores.items():
            per_query.setdefault(query, {})[mode] = values | {"top10": run[query][:10]}
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
            "passage_depth": PASSAGE_DEPTH,
            "document_cutoff": DOC_CUTOFF,
            "limit_queries": limit_queries,
            "document_text": "title + blank line + text",
        },
        "counts": {
            "documents": len(dataset.corpus),
            "chunks": len(index.chunks),
            "queries": len(dataset.queries),
            "judged_pairs": sum(
                1 for docs in dataset.qrels.values() for grade in docs.values() if grade > 0
            ),
            "dropped_queries": len(dataset.dropped_queries),
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


def published_for(dataset: str) -> tuple[Published, ...]:
    return PUBLISHED.get(dataset.lower(), ())


# --- rendering --------------------------------------------------------------------------------


def _rows(report: dict) -> list[list[str]]:
    published = [Published(**p) for p in report.get("published", [])]
    rows = []
    for mode, figures in report["modes"].items():
        ours = [fmt(figures.get(name)) for name in FIGURES]
        theirs = [p for p in published if p.mode == mode] or [None]
        for i, entry in enumerate(theirs):
            cells = [mode, *ours] if i == 0 else ["", *[""] * len(FIGURES)]
            if entry is None:
                cells += ["", "", ""]
            else:
                cells += [fmt(entry.ndcg_at_10), fmt(entry.recall_at_100), entry.system]
            rows.append(cells)
    return rows


HEADERS = [
    "mode",
    "nDCG@10",
    "R@100",
    "MRR@10",
    "hit@10",
    "pub. nDCG@10",
    "pub. R@100",
    "published system",
]


def _caveat(report: dict) -> str | None:
    if not report.get("published"):
        return None
    if report["config"]["limit_queries"] or report["split"] != "test":
        return (
            "published figures are for the full test split; this run used "
            f"{report['counts']['queries']} {report['split']} queries"
        )
    return None


def render_text(report: dict) -> str:
    counts = report["counts"]
    lines = [
        f"BEIR {report['dataset']} ({report['split']}): {counts['queries']} queries, "
        f"{counts['documents']} documents in {counts['chunks']} passages · "
        f"chunking {report['config']['chunking']['chunk_size']}/"
        f"{report['config']['chunking']['chunk_overlap']} · {report['timings']['total_s']} s",
        "",
    ]
    headers = HEADERS if report.get("published") else HEADERS[:5]
    rows = [r[: len(headers)] for r in _rows(report)]
    lines.append(text_table(headers, rows, left=(0, -1)))
    caveat = _caveat(report)
    if caveat:
        lines += ["", f"  note: {caveat}"]
    return "\n".join(lines)


def render_markdown(report: dict) -> str:
    counts, config, timings = report["counts"], report["config"], report["timings"]
    lines = [
        f"# BEIR {report['dataset']} ({report['split']} split)",
        "",
        f"- started: {report['started_at']}, {timings['total_s']} s "
        f"(index {timings['index_s']} s, queries {timings['embed_queries_s']} s)",
        f"- git commit: `{report['git_commit'] or 'n/a'}`",
        f"- {counts['queries']} queries, {counts['judged_pairs']} judged pairs, "
        f"{counts['documents']} documents in {counts['chunks']} passages",
        f"- model {config['model']['name']} (fingerprint {config['model']['fingerprint']}), "
        f"chunking {config['chunking']['chunk_size']}/{config['chunking']['chunk_overlap']} "
        "(size/overlap, characters)",
        f"- each document ranks where its best passage ranks ({config['passage_depth']} "
        f"passages per query, cut at {config['document_cutoff']} documents)",
        "",
    ]
    headers = HEADERS if report.get("published") else HEADERS[:5]
    lines.append(markdown_table(headers, [r[: len(headers)] for r in _rows(report)], left=(0, -1)))
    caveat = _caveat(report)
    if caveat:
        lines += ["", f"Note: {caveat}."]
    if report.get("published"):
        lines += ["", "Published figures:", ""]
        lines += [f"- {p['system']}: {p['source']}" for p in report["published"]]
    return "\n".join(lines) + "\n"


def write_outputs(report: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": write_json(report, out_dir / "report.json"),
        "summary": out_dir / "summary.md",
    }
    paths["summary"].write_text(render_markdown(report), encoding="utf-8")
    return paths
