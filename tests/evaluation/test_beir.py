"""`rag eval beir DIR`: BEIR loading, document aggregation, and runs on real indexes."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from evaluation import beir
from ingest.documents import content_hash
from tests.evaluation.conftest import SCIFACT, invoke

GLACIER = " ".join(
    [
        "Mountain glaciers are shrinking on every continent as summers grow warmer.",
        "Meltwater runs off the ice faster than winter snowfall can replace it, so the terminus "
        "moves uphill year after year.",
        "Scientists measure the retreat with repeat photographs, satellite images and stakes "
        "drilled into the ice surface.",
        "Dark dust and soot settle on the glacier and absorb sunlight, which speeds up the "
        "melting even more.",
    ]
    * 4
)  # long enough to make several passages of one document
DOCS = [
    ("d1", "Honey bee pollination", "Worker bees visit flowers to collect nectar and pollen. As "
     "a bee moves between blossoms, pollen sticks to its hairy body and fertilises the next "
     "flower. Back in the hive the nectar is evaporated and stored in wax combs as honey."),
    ("d2", "Volcanic eruptions", "An eruption happens when molten magma rises through cracks in "
     "the crust. Gas pressure builds until lava, ash and rock burst out of the vent. Many "
     "volcanoes sit where tectonic plates collide or pull apart."),
    ("d3", "Photosynthesis", "Green plants capture sunlight with chlorophyll in their leaves. The "
     "light energy splits water and fixes carbon dioxide into glucose, releasing oxygen as a "
     "by-product."),
    # the query "komodo dragon" can only match this document through its title
    ("d4", "Komodo dragon venom", "This large lizard of eastern Indonesia has glands in its lower "
     "jaw that secrete toxic proteins. A bite lowers the blood pressure of its prey and stops "
     "the blood from clotting."),
    ("d5", "Jazz improvisation", "A saxophonist in a swing band invents melodies over the chord "
     "changes of a tune. One famous solo was nicknamed the Queen's Gambit by critics. Players "
     "learn scales and listen closely to the rhythm section."),
    ("d6", "Glacier retreat", GLACIER),
    ("d7", "Sourdough bread baking", "A starter of wild yeast and lactic bacteria leavens the "
     "dough. Bakers feed the starter with flour and water, knead the dough, let it rise slowly "
     "and bake it in a very hot oven."),
    ("d8", "Chess openings", "The first moves of a chess game set up the position. In the "
     "Queen's Gambit white offers a pawn to gain control of the centre; the opening has been "
     "played for centuries by grandmasters."),
]  # fmt: skip
QUERIES = [
    ("q1", "How do honey bees pollinate flowers and turn nectar into honey?"),
    ("q2", "komodo dragon"),
    ("q3", "What makes magma and lava erupt from a volcano?"),
    ("q4", "queen's gambit chess opening"),
    ("q5", "how to feed a sourdough starter"),  # not judged: not evaluated
]
QRELS = [
    "query-id\tcorpus-id\tscore",
    "q1\td1\t1",
    "q2\td4\t1",
    "q3\td2\t1",
    "q3\tmissing-doc\t1",  # judged relevant but not in the corpus: recall 1/2 at best
    "q4\td5\t1",  # the jazz abstract that mentions the Queen's Gambit: second after d8
    "q4\td8\t0",  # a zero grade is not relevant
    "q9\td7\t1",  # no query text: dropped
]
# By hand: nDCG@10 per query 1, 1, 1/(1 + 1/log2 3) and 1/log2 3; Recall@100 1, 1, 1/2, 1;
# MRR@10 1, 1, 1, 1/2; every query has a relevant document in its top 10.
EXPECTED = {
    "ndcg@10": round((2 + 1 / (1 + 1 / math.log2(3)) + 1 / math.log2(3)) / 4, 4),
    "recall@100": 0.875,
    "mrr@10": 0.875,
    "hit@10": 1.0,
}


def write_dataset(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True)
    with (root / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id, title, text in DOCS:
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    with (root / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query_id, text in QUERIES:
            handle.write(json.dumps({"_id": query_id, "text": text, "metadata": {}}) + "\n")
    (root / "qrels" / "test.tsv").write_bytes(("\r\n".join(QRELS) + "\r\n").encode())
    return root


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


def scifact_subset(root: Path, documents: int = 120, queries: int = 20) -> Path:
    """The first judged test queries with a corpus cut down to their relevant abstracts and
    the first other abstracts, written in BEIR layout (named scifact)."""
    assert SCIFACT.is_dir(), (
        f"the SciFact benchmark is missing at {SCIFACT}: the shared folder (../shared beside "
        "the repository) must hold benchmarks/scifact"
    )
    qrels = beir.load_qrels(SCIFACT / "qrels" / "test.tsv")
    chosen = list(qrels)[:queries]
    relevant = {doc for q in chosen for doc in qrels[q]}
    lines = (SCIFACT / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    keep = [line for line in lines if json.loads(line)["_id"] in relevant]
    others = [line for line in lines if line and json.loads(line)["_id"] not in relevant]
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text(
        "\n".join(keep + others[: documents - len(keep)]) + "\n", encoding="utf-8"
    )
    shutil.copy(SCIFACT / "queries.jsonl", root / "queries.jsonl")
    shutil.copy(SCIFACT / "qrels" / "test.tsv", root / "qrels" / "test.tsv")
    return root


def test_scifact_subset(settings, tmp_path: Path) -> None:
    dataset = scifact_subset(tmp_path / "scifact")
    out = tmp_path / "out"
    # one passage per abstract keeps the embedding work small
    result = invoke(
        settings, "eval", "beir", str(dataset), "--limit-queries", "20",
        "--chunk-size", "4000", "--chunk-overlap", "0", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["queries"] == 20 and report["counts"]["documents"] == 120
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
