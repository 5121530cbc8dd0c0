"""The long-query guard: SciFact abstracts, each with a closing, asked for themselves.

A retriever that reads a long query's content puts its own document first in every mode; the
cut this replaced (a long query's last two sentences, here only the closing) scored nDCG@10
0.000 dense, 0.017 BM25 and 0.010 hybrid on 60 such queries over 300 abstracts (800/160).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import beir
from evaluation.beir.known_item import CLOSINGS, write_known_item_set
from tests.support.beir import DOCS, scifact_subset
from tests.support.rag import invoke

DOCUMENTS, QUERIES = 300, 40


def test_the_set_is_long_queries_for_themselves(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "qrels").mkdir(parents=True)
    lines = [json.dumps({"_id": d, "title": t, "text": x}) for d, t, x in DOCS]
    (source / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = write_known_item_set(source, tmp_path / "ki", documents=6, queries=2, min_chars=150)
    assert (written.documents, written.queries) == (6, 2)
    dataset = beir.load_dataset(tmp_path / "ki")
    assert len(dataset.corpus) == 6
    assert all(dataset.qrels[q] == {q: 1} for q in dataset.queries)  # each finds itself
    for query_id, text in dataset.queries.items():
        title, body = dataset.corpus[query_id]
        assert len(body) >= 150 and text.startswith(body) and title not in text
        assert text.endswith(CLOSINGS) and text != body
    with pytest.raises(beir.BeirError, match="only 1 documents have a body of 400"):
        write_known_item_set(source, tmp_path / "x", documents=6, queries=2, min_chars=400)


def test_long_queries_find_their_own_document_first(settings, tmp_path: Path) -> None:
    # the same abstracts and chunking as test_scifact_subset, so the session cache serves both
    source = scifact_subset(tmp_path / "scifact", documents=DOCUMENTS)
    folder = write_known_item_set(
        source, tmp_path / "known-item", documents=DOCUMENTS, queries=QUERIES
    ).directory
    out = tmp_path / "out"
    result = invoke(
        settings, "eval", "beir", str(folder), "--keep-identical-ids",
        "--chunk-size", "4000", "--chunk-overlap", "0", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["queries"] == QUERIES
    assert report["counts"]["documents"] == DOCUMENTS
    for mode in ("dense", "bm25", "hybrid"):
        first = [q for q, figures in report["per_query"].items() if figures[mode]["mrr@10"] == 1]
        assert len(first) >= 0.95 * QUERIES, (mode, report["modes"][mode])
