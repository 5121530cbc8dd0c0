"""A BEIR run's report as text and Markdown, beside the published figures it can be read against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evaluation.runs.report import fmt, markdown_table, text_table, write_json

FIGURES = ("ndcg@10", "recall@100", "mrr@10", "hit@10")


@dataclass(frozen=True)
class Published:
    """A published result to show beside ours (test split unless stated)."""

    mode: str  # which of our modes it is comparable with
    system: str
    ndcg_at_10: float
    recall_at_100: float | None
    source: str


# SciFact: from ../shared/benchmarks/scifact/README.md (each figure traced to its paper or
# results file). ArguAna: the results files named in `source`, read for this table.
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
    ),
    "arguana": (
        Published(
            "dense",
            "all-MiniLM-L6-v2, dense (MTEB)",
            0.5017,
            0.9772,
            "MTEB paper results, mtebpaper results/all-MiniLM-L6-v2/ArguAna.json",
        ),
        Published(
            "bm25",
            "BM25 flat, Lucene (Anserini, query id removed from hits)",
            0.3970,
            0.9324,
            "anserini docs/regressions-beir-v1.0.0-arguana-flat.md",
        ),
    ),
}


def _query_model(config: dict) -> str:
    """The fingerprint that embedded the queries (reports before it was recorded: the model's)."""
    return config.get("query_model", config["model"])["fingerprint"]


def published_for(dataset: str) -> tuple[Published, ...]:
    return PUBLISHED.get(dataset.lower(), ())


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


def _caveats(report: dict) -> list[str]:
    notes = []
    if not report["config"].get("ignore_identical_ids", True):
        notes.append(
            "documents whose id equals the query id were kept (--keep-identical-ids); BEIR "
            "drops them, so these figures are not comparable with published ones"
        )
    if report.get("published") and (report["config"]["limit_queries"] or report["split"] != "test"):
        notes.append(
            "published figures are for the full test split; this run used "
            f"{report['counts']['queries']} {report['split']} queries"
        )
    return notes


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
    notes = _caveats(report)
    if notes:
        lines.append("")
        lines += [f"  note: {note}" for note in notes]
    return "\n".join(lines)


def _own_ids(counts: dict) -> str:
    found = counts.get("queries_retrieving_their_own_id") or {}
    if not any(found.values()):
        return ""
    return (
        " (queries that retrieved their own id: "
        + ", ".join(f"{mode} {n}" for mode, n in found.items())
        + ")"
    )


def render_markdown(report: dict) -> str:
    counts, config, timings = report["counts"], report["config"], report["timings"]
    identical = (
        "dropped before scoring (BEIR's ignore_identical_ids)"
        if config.get("ignore_identical_ids", True)
        else "kept (--keep-identical-ids)"
    )
    lines = [
        f"# BEIR {report['dataset']} ({report['split']} split)",
        "",
        f"- started: {report['started_at']}, {timings['total_s']} s "
        f"(index {timings['index_s']} s, queries {timings['embed_queries_s']} s)",
        f"- git commit: `{report['git_commit'] or 'n/a'}`",
        f"- {counts['queries']} queries, {counts['judged_pairs']} judged pairs, "
        f"{counts['documents']} documents in {counts['chunks']} passages",
        f"- model {config['model']['name']} (fingerprint {config['model']['fingerprint']}; "
        f"queries {_query_model(config)}), chunking {config['chunking']['chunk_size']}/"
        f"{config['chunking']['chunk_overlap']} "
        "(size/overlap, characters)",
        f"- each document ranks where its best passage ranks ({config['passage_depth']} "
        f"passages per query, cut at {config['document_cutoff']} documents)",
        f"- a retrieved document whose id equals the query id: {identical}{_own_ids(counts)}",
        "",
    ]
    headers = HEADERS if report.get("published") else HEADERS[:5]
    lines.append(markdown_table(headers, [r[: len(headers)] for r in _rows(report)], left=(0, -1)))
    notes = _caveats(report)
    if notes:
        lines.append("")
        lines += [f"Note: {note}." for note in notes]
    if report.get("published"):
        lines += ["", "Published figures:", ""]
        lines += [f"- {p['system']}: {p['source']}" for p in report["published"]]
    return "\n".join(lines) + "\n"


def render_figures(report: dict) -> str:
    """The docs' block: what was run in one line, then each mode beside the published figures."""
    counts, chunking = report["counts"], report["config"]["chunking"]
    caption = (
        f"BEIR {report['dataset']}, {report['split']} split: {counts['queries']} queries, "
        f"{counts['documents']} documents in {counts['chunks']} passages "
        f"({chunking['chunk_size']}/{chunking['chunk_overlap']}); a document ranks where its "
        "best passage ranks."
    )
    headers = HEADERS if report.get("published") else HEADERS[:5]
    rows = [r[: len(headers)] for r in _rows(report)]
    return f"{caption}\n\n{markdown_table(headers, rows, left=(0, -1))}"


def write_outputs(report: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": write_json(report, out_dir / "report.json"),
        "summary": out_dir / "summary.md",
    }
    paths["summary"].write_text(render_markdown(report), encoding="utf-8")
    return paths
