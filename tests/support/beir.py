"""BEIR folders: a tiny hand-scored set, and a cut-down SciFact from the shared benchmarks."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

from evaluation import beir
from tests.support.paths import SCIFACT

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
