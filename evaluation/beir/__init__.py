"""Retrieval measured on a public BEIR-format benchmark, comparable with published figures.

data.py reads a BEIR folder as BEIR does, run.py runs it through the service's retrieval and
scores it (BEIR's ignore_identical_ids included), report.py renders the figures beside the
published ones, known_item.py writes a long-query known-item set from any BEIR corpus.
"""

from evaluation.beir.data import (
    DOCUMENT_TEXT,
    BeirDataset,
    BeirError,
    document_text,
    load_corpus,
    load_dataset,
    load_qrels,
    load_queries,
    to_documents,
)
from evaluation.beir.report import (
    FIGURES,
    PUBLISHED,
    Published,
    published_for,
    render_markdown,
    render_text,
    write_outputs,
)
from evaluation.beir.run import (
    DOC_CUTOFF,
    MODES,
    PASSAGE_DEPTH,
    documents_ranking,
    ensure_index,
    index_root,
    run_beir,
    run_mode,
    score_run,
)

__all__ = [
    "DOCUMENT_TEXT",
    "DOC_CUTOFF",
    "FIGURES",
    "MODES",
    "PASSAGE_DEPTH",
    "PUBLISHED",
    "BeirDataset",
    "BeirError",
    "Published",
    "document_text",
    "documents_ranking",
    "ensure_index",
    "index_root",
    "load_corpus",
    "load_dataset",
    "load_qrels",
    "load_queries",
    "published_for",
    "render_markdown",
    "render_text",
    "run_beir",
    "run_mode",
    "score_run",
    "to_documents",
    "write_outputs",
]
