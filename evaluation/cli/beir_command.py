"""`rag eval beir DIR`: retrieval figures on a BEIR-format benchmark."""

from __future__ import annotations

from pathlib import Path

import typer

from evaluation.cli.common import REPORTS_DIR, fail, print_gate, say, settings_for
from evaluation.runs import report
from evaluation.scoring import gate


def run_beir(
    directory: Path,
    modes: str,
    split: str,
    chunk_size: int | None,
    chunk_overlap: int | None,
    limit_queries: int | None,
    out: Path | None,
    limits: dict | None,
    previous: dict | None,
    *,
    ignore_identical_ids: bool = True,
    docs: bool = False,
) -> int:
    from evaluation import beir
    from ingest.chunk import ChunkingConfig

    settings = settings_for(None)
    try:
        chunking = ChunkingConfig(
            chunk_size=chunk_size if chunk_size is not None else settings.chunking.chunk_size,
            chunk_overlap=(
                chunk_overlap if chunk_overlap is not None else settings.chunking.chunk_overlap
            ),
        )
    except ValueError as error:
        fail(f"--chunk-size / --chunk-overlap: {error}")
    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    try:
        data = beir.run_beir(
            directory,
            settings,
            modes=chosen,
            split=split,
            chunking=chunking,
            limit_queries=limit_queries,
            ignore_identical_ids=ignore_identical_ids,
            progress=True,
            log=say,
        )
    except beir.BeirError as error:
        fail(str(error))
    checks = gate.check_thresholds(data, limits) if limits is not None else []
    deltas = gate.compare(data, previous) if previous is not None else []
    data |= {
        "gate": [c.as_dict() for c in checks],
        "baseline_deltas": [d.as_dict() for d in deltas],
    }
    typer.echo(beir.render_text(data))
    if deltas:
        typer.echo("\nAgainst the baseline")
        typer.echo(report.render_deltas_text(deltas))
    if checks:
        print_gate(checks)
    out_dir = out or REPORTS_DIR / f"beir-{data['dataset']}"
    paths = beir.write_outputs(data, out_dir)
    # The docs quote SciFact's whole test split, every mode, default passages and BEIR's rules.
    whole = data["dataset"].lower() == "scifact" and split == "test" and limit_queries is None
    as_run = ignore_identical_ids and chunk_size is None and chunk_overlap is None
    if docs and whole and as_run and set(chosen) == set(beir.MODES):
        from evaluation.beir.report import render_figures
        from evaluation.runs.docs_figures import DOCS, publish

        command = f"rag eval beir {directory}"
        publish(DOCS / "evaluation.md", "beir", command, render_figures(data))
    typer.echo("")
    for name, written in paths.items():
        typer.echo(f"{name + ':':<8} {written}")
    return 1 if any(not c.passed for c in checks) else 0
