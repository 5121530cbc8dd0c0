"""`rag eval beir DIR`: retrieval figures on a BEIR-format benchmark."""

from __future__ import annotations

from pathlib import Path

import typer

from evaluation import gate, report
from evaluation.cli_common import REPORTS_DIR, fail, print_gate, say, settings_for


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
    typer.echo("")
    for name, written in paths.items():
        typer.echo(f"{name + ':':<8} {written}")
    return 1 if any(not c.passed for c in checks) else 0
