"""A small hand-written index for fast unit tests of retrieval and answering: three short
Markdown articles (a paragraph, a list after a lead-in line, an FAQ, sections), built through
the real index build with HashEmbedder, so no model and no bundled corpus are needed."""

from __future__ import annotations

from pathlib import Path

from index.build import build_index
from index.load import load_index
from ingest.chunk import ChunkingConfig
from ingest.corpus import read_corpus
from service.serving import ServingIndex
from tests.support.embedders import HashEmbedder

# Said word for word in two articles: equal texts, equal vectors (a near-duplicate at its nearest).
SHARED_SENTENCE = "A starter kept in the refrigerator only needs feeding once a week."
RARE_TERM = "hydrometer"  # in one passage of the beekeeping article, nowhere else

ARTICLES = {
    "sourdough.md": f"""# Caring for a Sourdough Starter

A sourdough starter is a living culture of wild yeast and lactic bacteria. It needs regular \
feeding with flour and water to stay active and to leaven bread.

## Feeding Schedule

Feed the starter every day when it lives on the kitchen counter:

- Discard half of the starter before each feeding
- Stir in equal weights of flour and water
- Leave the jar loosely covered at room temperature

This routine keeps the culture strong and its rise predictable.

## Frequently Asked Questions

How often should I feed a starter kept in the fridge?

{SHARED_SENTENCE} Take it out the night before you bake.
""",
    "bees.md": f"""# Winter Beekeeping

Honey bees form a tight cluster inside the hive during cold weather. This keeps the queen warm \
until spring returns, while the workers shiver their flight muscles.

## Checking the Honey Stores

A colony needs about twenty kilograms of stored honey to survive a long winter. Beekeepers \
check the ripeness of the honey with a {RARE_TERM} before they harvest any of it.
""",
    "baking.md": f"""# Baking Bread at Home

Bake the loaf in a very hot oven with steam for the first twenty minutes. A crust that sounds \
hollow when tapped means the bread is done.

## Looking After the Starter

{SHARED_SENTENCE} Warm it up before mixing the dough.
""",
}


def write_articles(folder: Path) -> Path:
    """The three articles as Markdown files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build_small_index(work: Path, embedder: HashEmbedder) -> ServingIndex:
    """The articles written under `work`, built as `rag index` builds them (small passages, so
    each section is a passage of its own), loaded and wrapped as the service serves it."""
    corpus = read_corpus(write_articles(work / "corpus"))
    chunking = ChunkingConfig(chunk_size=400, chunk_overlap=0)
    build_index(list(corpus.documents), embedder, chunking, work / "index")
    return ServingIndex.of(load_index(work / "index"))


def sentence_id(index: ServingIndex, starts_with: str, doc_id: str | None = None) -> int:
    """The id of the one sentence (of `doc_id`, when given) that begins with these words."""
    (sid,) = [
        i
        for i in range(len(index.sentences))
        if index.sentences[i].readable.startswith(starts_with)
        and doc_id in (None, index.sentences[i].doc_id)
    ]
    return sid


def passage_row(index: ServingIndex, doc_id: str, section: str) -> int:
    """The row of the one passage of this document's section."""
    (row,) = [i for i, c in enumerate(index.chunks) if (c.doc_id, c.section) == (doc_id, section)]
    return row
