"""`rag eval SUITE.jsonl`: one suite, in process or against a running service (--url)."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import typer

from evaluation.cases.suite import SuiteError, load_suite
from evaluation.cli.common import REPORTS_DIR, fail, progress_bar, say, settings_for
from evaluation.runs import report
from evaluation.scoring import gate


def run_suite(
    suite_path: Path,
    url: str | None,
    out: Path | None,
    previous: dict | None,
    limits: dict | None,
    top_k: int,
    corpus: Path | None,
) -> int:
    from evaluation.runs import runner

    settings = settings_for(corpus)
    try:
        cases = load_suite(suite_path, settings.corpus_dir)
    except SuiteError as error:
        fail(str(error))
    if not cases:
        fail(f"{suite_path.name}: the suite holds no case")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    if url is not None:
        ask, corpus_data, embed, config, index_info = _over_http(url, settings, top_k)
        target = runner.check_base_url(url)
    else:
        ask, corpus_data, embed, config, index_info = _in_process(settings, top_k)
        target = "in-process"
    say(f"asking {len(cases)} questions ({target})")
    results = runner.run_cases(
        cases, ask, top_k=top_k, progress=progress_bar(len(cases), "questions")
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
        say(f"{errors} case(s) raised an error; see report.json")
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
    from evaluation.runs import runner
    from service.engine import Engine

    engine = Engine.open(settings, progress=True, log=say)
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

    from evaluation.runs import runner
    from service.answering.abstention import load_model
    from service.indexing import make_embedder

    try:
        base = runner.check_base_url(url)
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        health = httpx.get(f"{base}/health", timeout=30, headers=headers)
        health.raise_for_status()
        corpus_data = runner.corpus_over_http(base, api_key=settings.api_key)
    except ValueError as error:
        fail(str(error))
    except httpx.HTTPError as error:
        fail(f"cannot use the service at {url}: {error}")
    info = health.json()
    if not info.get("index_loaded"):
        fail(f"the service at {url} has no index loaded: {info.get('error')}")
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
