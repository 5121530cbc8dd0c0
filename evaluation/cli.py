"""`rag eval`: run a suite (in process or against a running service) or a BEIR benchmark.

Exit codes: 0 when the run is clean and every threshold passes; 1 when a threshold fails or a
case raised an error; 2 when the input cannot be used (bad suite, thresholds, baseline, URL).
Importing this module stays cheap: the engine, the model and matplotlib load only when used.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from evaluation import gate, report
from evaluation.runner import EVAL_TOP_K
from evaluation.suite import SuiteError, load_suite

REPORTS_DIR = report.PROJECT_ROOT / "reports"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _settings(corpus: Path | None):
    from service.config import ConfigError, settings_from_env

    try:
        return settings_from_env().with_overrides(corpus_dir=corpus)
    except ConfigError as error:
        _fail(str(error))
        raise  # unreachable


def _progress_bar(total: int, label: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="q", file=sys.stderr, disable=None, leave=False)

    def step(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return step


def eval_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar="SUITE|beir",
            help="A suite JSONL file, or the word `beir` followed by a BEIR dataset folder.",
        ),
    ],
    path: Annotated[
        Path | None,
        typer.Argument(metavar="[DIR]", help="With `beir`: the BEIR dataset folder."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Ask a running service (http://127.0.0.1:PORT) instead."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Report folder (default: reports/<suite name>/, reports/beir-<dataset>/)."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="An earlier report.json: print the metric deltas."),
    ] = None,
    thresholds: Annotated[
        Path | None,
        typer.Option("--thresholds", help="JSON {metric: {min|max: x}}; exit 1 if one fails."),
    ] = None,
    top_k: Annotated[
        int, typer.Option("--top-k", min=1, max=50, help="Passages asked for per question.")
    ] = EVAL_TOP_K,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="Corpus folder the suite is checked against."),
    ] = None,
    modes: Annotated[
        str, typer.Option("--modes", help="BEIR: retrieval modes, comma-separated.")
    ] = "dense,bm25,hybrid",
    split: Annotated[
        str, typer.Option("--split", help="BEIR: qrels split (test; train for tuning).")
    ] = "test",
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size", help="BEIR: passage size (default: RAG_CHUNK_SIZE, else 800)."
        ),
    ] = None,
    chunk_overlap: Annotated[
        int | None,
        typer.Option(
            "--chunk-overlap", help="BEIR: passage overlap (default: RAG_CHUNK_OVERLAP, else 160)."
        ),
    ] = None,
    limit_queries: Annotated[
        int | None,
        typer.Option("--limit-queries", min=1, help="BEIR: only the first N judged queries."),
    ] = None,
) -> None:
    """Score a suite: retrieval, answers, citations, abstention; or a BEIR benchmark."""
    checks_for = None
    if thresholds is not None:
        try:
            checks_for = gate.load_thresholds(thresholds)
        except gate.ThresholdError as error:
            _fail(str(error))
    previous = None
    if baseline is not None:
        try:
            previous = gate.load_report(baseline)
        except ValueError as error:
            _fail(str(error))
    if target == "beir":
        if path is None:
            _fail(
                "`rag eval beir` needs the dataset folder, "
                "e.g. rag eval beir ../shared/benchmarks/scifact"
            )
        if url is not None:
            _fail("--url cannot be used with beir: the benchmark builds its own index")
        code = _run_beir(
            path, modes, split, chunk_size, chunk_overlap, limit_queries, out, checks_for, previous
        )
    else:
        if path is not None:
            _fail(f"unexpected argument {str(path)!r}: give one suite file (or `beir DIR`)")
        code = _run_suite(Path(target), url, out, previous, checks_for, top_k, corpus)
    raise typer.Exit(code)


def _print_gate(checks: list[gate.Check]) -> None:
    failed = sum(not c.passed for c in checks)
    typer.echo(f"\nThresholds: {len(checks) - failed} passed, {failed} failed")
    for check in checks:
        typer.echo(f"  {check.describe()}")


def _run_suite(
    suite_path: Path,
    url: str | None,
    out: Path | None,
    previous: dict | None,
    limits: dict | None,
    top_k: int,
    corpus: Path | None,
) -> int:
    from evaluation import runner

    settings = _settings(corpus)
    try:
        cases = load_suite(suite_path, settings.corpus_dir)
    except SuiteError as error:
        _fail(str(error))
    if not cases:
        _fail(f"{suite_path.name}: the suite holds no case")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    if url is not None:
        ask, corpus_data, embed, config, index_info = _over_http(url, settings, top_k)
        target = runner.check_base_url(url)
    else:
        ask, corpus_data, embed, config, index_info = _in_process(settings, top_k)
        target = "in-process"
    _say(f"asking {len(cases)} questions ({target})")
    results = runner.run_cases(
        cases, ask, top_k=top_k, progress=_progress_bar(len(cases), "questions")
    )
    scored = runner.score(results, corpus_data, embed)
    data = {
        "suite": str(suite_path),
        "started_at": started_at,
        "duration_s": round(time.perf_counter() - clock, 2),
        "git_commit": report.git_commit(),
        "target": target,
        "config": config,
        "index": index_info,
        **scored,
    }
    checks = gate.check_thresholds(data, limits) if limits is not None else []
    deltas = gate.compare(data, previous) if previous is not None else []
    worse = gate.case_changes(data, previous) if previous is not None else []
    typer.echo(report.render_text(data, checks, deltas, worse))
    out_dir = out or REPORTS_DIR / suite_path.stem
    paths = report.write_outputs(data, out_dir, checks, deltas, worse)
    typer.echo("")
    for name, written in paths.items():
        typer.echo(f"{name + ':':<8} {written}")
    errors = scored["counts"]["errors"]
    if errors:
        _say(f"{errors} case(s) raised an error; see report.json")
    return 1 if errors or any(not c.passed for c in checks) else 0


def _config(settings, top_k: int, model: dict, abstention, extra: dict) -> dict:
    return {
        "retrieval_mode": settings.retrieval_mode,
        "top_k": top_k,
        "chunking": asdict(settings.chunking),
        "model": model,
        "abstention": asdict(abstention),
        **extra,
    }


def _in_process(settings, top_k: int):
    from evaluation import runner
    from service.engine import Engine

    engine = Engine.open(settings, progress=True, log=_say)
    config = _config(
        settings,
        top_k,
        {"name": engine.embedder.name, "fingerprint": engine.embedder.fingerprint},
        engine.answerer.abstention,
        {
            "answer": asdict(engine.answerer.config),
            "fusion": asdict(engine.fusion),
            "source": "engine",
        },
    )
    index = engine.index
    return (
        runner.in_process(engine),
        runner.corpus_of_index(index),
        engine.embedder.embed,
        config,
        asdict(index.manifest),
    )


def _over_http(url: str, settings, top_k: int):
    import httpx

    from evaluation import runner
    from service.answering.abstention import load_model
    from service.engine import make_embedder

    try:
        base = runner.check_base_url(url)
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        health = httpx.get(f"{base}/health", timeout=30, headers=headers)
        health.raise_for_status()
        corpus_data = runner.corpus_over_http(base, api_key=settings.api_key)
    except ValueError as error:
        _fail(str(error))
    except httpx.HTTPError as error:
        _fail(f"cannot use the service at {url}: {error}")
    info = health.json()
    if not info.get("index_loaded"):
        _fail(f"the service at {url} has no index loaded: {info.get('error')}")
    embedder = make_embedder(settings)
    config = _config(
        settings,
        top_k,
        {
            "name": info.get("model"),
            "fingerprint": None,
            "local_embedder": {"name": embedder.name, "fingerprint": embedder.fingerprint},
        },
        load_model(),
        {"source": "local settings; the service does not expose its configuration"},
    )
    ask = runner.over_http(base, api_key=settings.api_key)
    return ask, corpus_data, embedder.embed, config, info


def _run_beir(
    directory: Path,
    modes: str,
    split: str,
    chunk_size: int | None,
    chunk_overlap: int | None,
    limit_queries: int | None,
    out: Path | None,
    limits: dict | None,
    previous: dict | None,
) -> int:
    from evaluation import beir
    from ingest.chunk import ChunkingConfig

    settings = _settings(None)
    try:
        chunking = ChunkingConfig(
            chunk_size=chunk_size if chunk_size is not None else settings.chunking.chunk_size,
            chunk_overlap=(
                chunk_overlap if chunk_overlap is not None else settings.chunking.chunk_overlap
            ),
        )
    except ValueError as error:
        _fail(f"--chunk-size / --chunk-overlap: {error}")
    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    try:
        data = beir.run_beir(
            directory,
            settings,
            modes=chosen,
            split=split,
            chunking=chunking,
            limit_queries=limit_queries,
            progress=True,
            log=_say,
        )
    except beir.BeirError as error:
        _fail(str(error))
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
        _print_gate(checks)
    out_dir = out or REPORTS_DIR / f"beir-{data['dataset']}"
    paths = beir.write_outputs(data, out_dir)
    typer.echo("")
    for name, written in paths.items():
        typer.echo(f"{name + ':':<8} {written}")
    return 1 if any(not c.passed for c in checks) else 0


def register(app: typer.Typer) -> None:
    """Add `eval` to the `rag` app."""
    app.command("eval")(eval_command)
