"""Whether a vector of the whole document, beside the passages', helps retrieval on a BEIR set.

    python -m evaluation.beir.whole_documents ../shared/benchmarks/scifact [--split test]

Each document (title and text, as the passages embed them) gets one vector of its own from the
configured embedder (the embedding cache keeps it for the next run; the model truncates a text
longer than its window). Queries are embedded as the service embeds questions. It prints
nDCG@10 and Recall@100 for the service's dense and hybrid modes (as `rag eval beir`), for dense
retrieval of whole documents, for whole documents restricted to those that fit the model's
window, for each fused with the service's ranking by reciprocal rank (k = 60), and for the
issue's design: a document that fits gets a vector of its own that competes in the dense list
as one more passage of it (fused with BM25 by document, beside the same fusion without it).
It also prints how many documents fit. Asserts nothing and changes no index.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from evaluation.beir.data import load_dataset, to_documents
from evaluation.beir.run import (
    PASSAGE_DEPTH,
    documents_ranking,
    ensure_index,
    index_root,
    run_mode,
    score_run,
)
from service.config import settings_from_env
from service.indexing import make_embedder, make_query_embedder
from service.question.query import build_query, focused_text
from service.serving import ServingIndex

RRF_K = 60

Run = dict[str, list[str]]


def fused(first: Run, second: Run, k: int = RRF_K) -> Run:
    """Reciprocal-rank fusion of two document runs, query by query."""
    out: Run = {}
    for query_id, ranking in first.items():
        score: dict[str, float] = {}
        for run in (ranking, second.get(query_id, [])):
            for rank, doc_id in enumerate(run, start=1):
                score[doc_id] = score.get(doc_id, 0.0) + 1.0 / (k + rank)
        out[query_id] = sorted(score, key=lambda d: (-score[d], d))[:100]
    return out


def token_counts(texts: list[str], model_dir: Path | None) -> np.ndarray:
    """Word pieces per text by the model's own tokenizer (special tokens included)."""
    from transformers import AutoTokenizer

    from ingest.embed.model_dir import default_model_dir

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir or default_model_dir()))
    return np.array([len(ids) for ids in tokenizer(texts)["input_ids"]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument("--window", type=int, default=256, help="the model's window, word pieces")
    args = parser.parse_args(argv)
    settings = settings_from_env()
    dataset = load_dataset(args.directory, args.split, None)
    embedder = make_embedder(settings)
    questions = make_query_embedder(settings, embedder)
    documents = to_documents(dataset.corpus)
    root = index_root(settings.index_dir, dataset.name, settings.chunking)
    index = ServingIndex.of(ensure_index(documents, embedder, settings.chunking, root))
    texts = {query_id: focused_text(text) for query_id, text in dataset.queries.items()}
    vectors = dict(zip(texts.values(), questions.embed(list(texts.values())), strict=True))
    queries = {
        query_id: build_query(text, index, vectors.__getitem__)
        for query_id, text in dataset.queries.items()
    }
    service = {mode: run_mode(index, queries, mode)[0] for mode in ("dense", "hybrid")}

    ids = [d.doc_id for d in documents]
    whole = [f"{d.title}\n\n{d.text}" if d.title else d.text for d in documents]
    matrix = np.asarray(embedder.embed(whole), dtype=np.float32)
    fits = token_counts(whole, settings.model_dir) <= args.window
    similarity = np.stack([queries[q].vector for q in dataset.queries]) @ matrix.T
    every: Run = {}
    fitting: Run = {}
    extra: Run = {}  # a fitting document's whole vector as one more passage of the dense list
    for row, query_id in enumerate(dataset.queries):
        order = np.argsort(-similarity[row])[:PASSAGE_DEPTH]
        every[query_id] = documents_ranking([ids[i] for i in order], drop=query_id)
        fitting[query_id] = documents_ranking([ids[i] for i in order if fits[i]], drop=query_id)
        best: dict[str, float] = {}
        for passage, score in queries[query_id].scores.dense(PASSAGE_DEPTH):
            doc_id = index.chunks[passage].doc_id
            best[doc_id] = max(best.get(doc_id, -1.0), score)
        for i in order:
            if fits[i]:
                best[ids[i]] = max(best.get(ids[i], -1.0), float(similarity[row, i]))
        ranked = sorted(best, key=lambda d: (-best[d], d))
        extra[query_id] = documents_ranking(ranked, drop=query_id)
    bm25 = run_mode(index, queries, "bm25")[0]
    rows = {
        "dense passages (service)": service["dense"],
        "hybrid (service)": service["hybrid"],
        "dense whole documents": every,
        "dense whole documents that fit the window": fitting,
        "dense passages + whole documents (RRF)": fused(service["dense"], every),
        "hybrid + whole documents (RRF)": fused(service["hybrid"], every),
        "hybrid + whole documents that fit (RRF)": fused(service["hybrid"], fitting),
        "dense, fitting documents' vectors as passages": extra,
        "BM25 + dense passages (RRF by document)": fused(bm25, service["dense"]),
        "BM25 + dense with fitting documents (RRF by document)": fused(bm25, extra),
    }
    print(f"{dataset.name}: {len(ids)} documents, {fits.sum()} ({fits.mean():.1%}) fit "
          f"{args.window} word pieces; {len(queries)} {args.split} queries")  # fmt: skip
    print(f"{'run':<54} nDCG@10  R@100")
    for name, run in rows.items():
        overall, _ = score_run(run, dataset.qrels)
        print(f"{name:<54} {overall['ndcg@10']:.3f}    {overall['recall@100']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
