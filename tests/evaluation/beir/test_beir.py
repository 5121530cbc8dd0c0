"""`rag eval beir DIR`: BEIR loading, document aggregation, and runs on real indexes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from evaluation import beir
from ingest.documents import content_hash
from tests.support.beir import DOCS, EXPECTED, scifact_subset, write_dataset
from tests.support.rag import invoke

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("beir") / "tiny")


# --- loading ----------------------------------------------------------------------------------


def test_qrels_strip_crlf_skip_the_header_and_keep_order(tiny: Path) -> None:
    qrels = beir.load_qrels(tiny / "qrels" / "test.tsv")
    assert qrels == {
        "q1": {"d1": 1},
        "q2": {"d4": 1},
        "q3": {"d2": 1, "missing-doc": 1},
        "q4": {"d5": 1, "d8": 0},
        "q9": {"d7": 1},
    }


def test_qrels_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "test.tsv"
    path.write_text("q\td\tscore\nq1\td1\t1\nq1\td2\thigh\n")
    with pytest.raises(beir.BeirError, match=r"test.tsv line 3: score 'high'"):
        beir.load_qrels(path)
    path.write_text("q1 d1 1\n")
    with pytest.raises(beir.BeirError, match="line 1: expected 3 tab-separated fields"):
        beir.load_qrels(path)
    path.write_text("q1\t0\td1\t2\n")  # TREC layout
    assert beir.load_qrels(path) == {"q1": {"d1": 2}}


def test_dataset_keeps_judged_queries_with_text(tiny: Path, tmp_path: Path) -> None:
    dataset = beir.load_dataset(tiny)
    assert dataset.name == "tiny" and len(dataset.corpus) == 8
    assert list(dataset.queries) == ["q1", "q2", "q3", "q4"]
    assert dataset.dropped_queries == ("q9",)
    assert list(beir.load_dataset(tiny, limit_queries=2).queries) == ["q1", "q2"]
    with pytest.raises(beir.BeirError, match=r"train\.tsv does not exist"):
        beir.load_dataset(tiny, split="train")
    broken = shutil.copytree(tiny, tmp_path / "broken")
    (broken / "corpus.jsonl").write_text('{"_id": "a", "text": "x"}\n{"_id": "a"}\n')
    with pytest.raises(beir.BeirError, match=r"corpus\.jsonl line 2: duplicate _id 'a'"):
        beir.load_dataset(broken)


def test_documents_put_the_title_on_its_own_line() -> None:
    [doc] = beir.to_documents({"42": ("A title", "Body text.")})
    assert (doc.doc_id, doc.source, doc.title) == ("42", "42", "A title")
    assert doc.text == "A title\n\nBody text."
    assert doc.sha256 == content_hash(doc.text)
    [untitled] = beir.to_documents({"7": ("", "Only text.")})
    assert (untitled.text, untitled.title) == ("Only text.", "7")


def test_documents_rank_where_their_best_passage_ranks() -> None:
    passages = ["b", "a", "b", "c", "a", "d"]
    assert beir.documents_ranking(passages) == ["b", "a", "c", "d"]
    assert beir.documents_ranking(passages, cutoff=2) == ["b", "a"]
    # the query's own id is dropped before the cut, so the cut still keeps `cutoff` documents
    assert beir.documents_ranking(passages, cutoff=2, drop="b") == ["a", "c"]
    assert beir.documents_ranking(passages, drop="zzz") == ["b", "a", "c", "d"]


# --- real runs --------------------------------------------------------------------------------


def test_tiny_dataset_figures_by_hand_in_every_mode(tiny: Path, settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(settings, "eval", "beir", str(tiny), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 judged queries have no text in queries.jsonl; skipped" in result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["modes"] == {"dense": EXPECTED, "bm25": EXPECTED, "hybrid": EXPECTED}
    assert report["counts"]["queries"] == 4 and report["counts"]["judged_pairs"] == 5
    assert report["counts"]["documents"] == 8
    assert report["counts"]["chunks"] > 8  # the glacier article is several passages
    assert report["published"] == []  # only SciFact has published figures here
    for mode in ("dense", "bm25", "hybrid"):
        # q4: the chess article first, then the jazz one that is relevant
        assert report["per_query"]["q4"][mode]["top10"][:2] == ["d8", "d5"]
        assert report["per_query"]["q2"][mode]["top10"][0] == "d4"  # found by its title
        row = rf"^  {mode}\s+0\.811\s+0\.875\s+0\.875\s+1\.000$"
        assert re.search(row, result.stdout, re.MULTILINE), result.stdout
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| dense | 0.811 | 0.875 | 0.875 | 1.000 |" in summary

    # a second run reuses the index; --limit-queries and --modes narrow the run
    again = invoke(
        settings, "eval", "beir", str(tiny), "--out", str(out), "--modes", "bm25",
        "--limit-queries", "2",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "reusing the index" in again.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["modes"] == {"bm25": {"ndcg@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0,
                                        "hit@10": 1.0}}  # fmt: skip


def test_a_document_with_the_query_id_is_dropped_unless_kept(settings, tmp_path: Path) -> None:
    """ArguAna-style: the query is itself a corpus document (same id); BEIR drops it."""
    folder = tmp_path / "selfish"
    (folder / "qrels").mkdir(parents=True)
    corpus = "".join(json.dumps({"_id": d, "title": t, "text": x}) + "\n" for d, t, x in DOCS)
    (folder / "corpus.jsonl").write_text(corpus, encoding="utf-8")
    bees = DOCS[0][2]  # the honey bee document's own text, asked with its own id
    (folder / "queries.jsonl").write_text(json.dumps({"_id": "d1", "text": bees}) + "\n")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nd1\td3\t1\n")

    dropped = invoke(settings, "eval", "beir", str(folder), "--out", str(tmp_path / "a"))
    assert dropped.exit_code == 0, dropped.output
    assert "dropped the query's own id from its results" in dropped.stderr
    report = json.loads((tmp_path / "a" / "report.json").read_text(encoding="utf-8"))
    assert report["config"]["ignore_identical_ids"] is True
    assert report["counts"]["queries_retrieving_their_own_id"] == {
        "dense": 1, "bm25": 1, "hybrid": 1,
    }  # fmt: skip
    for mode in ("dense", "bm25", "hybrid"):
        top = report["per_query"]["d1"][mode]["top10"]
        assert top and "d1" not in top
    assert "kept (--keep-identical-ids)" not in dropped.stdout

    kept = invoke(
        settings, "eval", "beir", str(folder), "--keep-identical-ids", "--out", str(tmp_path / "b")
    )
    assert kept.exit_code == 0, kept.output
    report = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert report["config"]["ignore_identical_ids"] is False
    for mode in ("dense", "bm25", "hybrid"):
        assert report["per_query"]["d1"][mode]["top10"][0] == "d1"  # finds itself first
    assert "were kept (--keep-identical-ids)" in kept.stdout
    summary = (tmp_path / "b" / "summary.md").read_text(encoding="utf-8")
    assert "query id: kept (--keep-identical-ids)" in summary


def test_scifact_subset(settings, tmp_path: Path) -> None:
    dataset = scifact_subset(tmp_path / "scifact", documents=300)
    out = tmp_path / "out"
    # one passage per abstract keeps the embedding work small
    result = invoke(
        settings, "eval", "beir", str(dataset), "--limit-queries", "20",
        "--chunk-size", "4000", "--chunk-overlap", "0", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["queries"] == 20 and report["counts"]["documents"] == 300
    assert report["config"]["chunking"] == {"chunk_size": 4000, "chunk_overlap": 0}
    for figures in report["modes"].values():
        for name in ("ndcg@10", "recall@100", "mrr@10", "hit@10"):
            assert 0.0 <= figures[name] <= 1.0
    assert report["modes"]["bm25"]["ndcg@10"] > 0.5
    assert report["modes"]["dense"]["ndcg@10"] > 0.5
    assert {p["system"] for p in report["published"]} >= {"BM25, Elasticsearch (BEIR paper)"}
    assert "published figures are for the full test split" in result.stdout
    assert re.search(r"^  bm25\s+0\.\d{3}.*0\.665\s+n/a\s+BM25, Elasticsearch", result.stdout,
                     re.MULTILINE)  # fmt: skip
