"""Pieces every `rag eval`-family command shares: errors, progress, settings, the gate."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from evaluation.runs import report
from evaluation.scoring import gate

REPORTS_DIR = report.PROJECT_ROOT / "reports"


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def say(message: str) -> None:
    typer.echo(message, err=True)


def settings_for(corpus: Path | None):
    """The configured settings; for a --corpus other than the configured one, that folder with
    a scratch index of its own (under the cache), so the index that serves is never touched."""
    import hashlib
    from dataclasses import replace

    from service.config import ConfigError, settings_from_env

    try:
        settings = settings_from_env()
    except ConfigError as error:
        fail(str(error))
        raise  # unreachable
    if corpus is None or corpus.resolve() == settings.corpus_dir.resolve():
        return settings
    digest = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:16]
    scratch = settings.cache_dir / "scratch-indexes" / f"{corpus.resolve().name}-{digest}"
    return replace(settings, corpus_dir=corpus, index_dir=scratch)


def progress_bar(total: int, label: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="q", file=sys.stderr, disable=None, leave=False)

    def step(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return step


def print_gate(checks: list[gate.Check]) -> None:
    failed = sum(not c.passed for c in checks)
    typer.echo(f"\nThresholds: {len(checks) - failed} passed, {failed} failed")
    for check in checks:
        typer.echo(f"  {check.describe()}")
