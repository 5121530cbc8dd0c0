"""`rag eval`: run a suite (in process or against a running service) or a BEIR benchmark.

Exit codes: 0 when the run is clean and every threshold passes; 1 when a threshold fails or a
case raised an error; 2 when the input cannot be used (bad suite, thresholds, baseline, URL).
Importing this module stays cheap: the engine, the model and matplotlib load only when used.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from evaluation.cases.registry import RegistryError
from evaluation.cases.suite import SuiteError, load_suite
from evaluation.cli.beir_command import run_beir
from evaluation.cli.common import REPORTS_DIR, fail, say, settings_for
from evaluation.cli.suite_command import run_suite
from evaluation.runs.runner import EVAL_TOP_K
from evaluation.scoring import gate


def eval_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar="SUITE|beir|heldout|fit|all|NAME",
            help="A suite JSONL file; `heldout`, `fit`, `all` or a name from "
            "evaluation/suites/suites.json (each against its own corpus); or `beir DIR`.",
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
    baselines: Annotated[
        bool,
        typer.Option(
            "--baselines",
            help="Also run the dense-top-sentence and plain-hybrid baselines, and the "
            "LangChain FAISS, Haystack hybrid and bm25s peers (registered suites).",
        ),
    ] = False,
    keep_identical_ids: Annotated[
        bool,
        typer.Option(
            "--keep-identical-ids",
            help="BEIR: keep a retrieved document whose id equals the query id (BEIR drops it).",
        ),
    ] = False,
    no_docs: Annotated[
        bool,
        typer.Option(
            "--no-docs",
            help="Leave the figures in README.md and docs/ alone (`heldout`, `fit` and a full "
            "SciFact `beir` run rewrite them).",
        ),
    ] = False,
) -> None:
    """Score a suite: retrieval, answers, citations, abstention; or a BEIR benchmark."""
    checks_for = None
    if thresholds is not None:
        try:
            checks_for = gate.load_thresholds(thresholds)
        except gate.ThresholdError as error:
            fail(str(error))
    previous = None
    if baseline is not None:
        try:
            previous = gate.load_report(baseline)
        except ValueError as error:
            fail(str(error))
    if target == "beir":
        if path is None:
            fail(
                "`rag eval beir` needs the dataset folder, "
                "e.g. rag eval beir ../shared/benchmarks/scifact"
            )
        if url is not None:
            fail("--url cannot be used with beir: the benchmark builds its own index")
        code = run_beir(
            path,
            modes,
            split,
            chunk_size,
            chunk_overlap,
            limit_queries,
            out,
            checks_for,
            previous,
            ignore_identical_ids=not keep_identical_ids,
            docs=not no_docs,
        )
    elif not target.endswith(".jsonl") and url is not None:  # one registered suite, over HTTP
        entries = _registered(target, path)
        if len(entries) != 1:
            fail(
                f"--url asks one service about one corpus: name one suite, not {target!r} "
                f"({len(entries)} suites, each on its own corpus)"
            )
        [entry] = entries
        code = run_suite(entry.path, url, out, previous, checks_for, top_k, entry.corpus)
    elif not target.endswith(".jsonl"):  # registered suites: heldout, fit, all or names
        from evaluation.compare import campaign

        targets = [target] + ([str(path)] if path is not None else [])
        whole_role = targets in (["heldout"], ["fit"]) and not no_docs  # never a chosen few
        command = ["rag", "eval", target, *(["--baselines"] if baselines else [])]
        command += ["--thresholds", str(thresholds)] if thresholds is not None else []
        try:
            text, code = campaign.run_registered(
                targets,
                baselines=baselines,
                limits=checks_for,
                out_dir=out or REPORTS_DIR / f"eval-{'-'.join(targets)}",
                say=say,
                docs_command=shlex.join(command) if whole_role else None,
            )
        except RegistryError as error:
            fail(str(error))
        typer.echo(text)
    else:
        if path is not None:
            fail(f"unexpected argument {str(path)!r}: give one suite file (or `beir DIR`)")
        code = run_suite(Path(target), url, out, previous, checks_for, top_k, corpus)
    raise typer.Exit(code)


def _registered(target: str, path: Path | None) -> list:
    from evaluation.cases.registry import resolve

    try:
        return resolve([target] + ([str(path)] if path is not None else []))
    except RegistryError as error:
        fail(str(error))


def calibrate_command(
    suite: Annotated[Path, typer.Argument(help="Your labelled questions (suite JSONL).")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Corpus folder the suite is checked against.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the figures; write nothing.")
    ] = False,
) -> None:
    """Fit abstention on your own labelled questions; write it beside your index."""
    import json
    import tempfile
    from dataclasses import replace

    from evaluation.fitting.calibrate import calibrate_index
    from service.engine import INDEX_ABSTENTION, Engine

    settings = settings_for(corpus)
    served = settings_for(None)
    target = served.index_dir / INDEX_ABSTENTION
    try:
        cases = load_suite(suite, settings.corpus_dir)
    except SuiteError as error:
        fail(str(error))
    with tempfile.TemporaryDirectory(prefix="rag-dry-run-") as scratch:
        if dry_run:  # not even the index is written: a scratch one, deleted at the end
            settings = replace(settings, index_dir=Path(scratch) / "index")
        engine = Engine.open(settings, progress=True, log=say)
        try:
            result = calibrate_index(engine, cases)
        except ValueError as error:
            fail(str(error))
    typer.echo("cross-validated on your questions (5 folds):")
    typer.echo(json.dumps(result["cross_validated"], indent=2))
    typer.echo("the model in use until now, on the same questions:")
    typer.echo(json.dumps(result["committed_model"], indent=2))
    if dry_run:
        typer.echo(f"--dry-run: {target} not written")
        return
    if settings.corpus_dir.resolve() != served.corpus_dir.resolve():
        typer.echo(
            f"not written: --corpus {corpus} is not the folder the service serves "
            f"({served.corpus_dir}); set RAG_CORPUS_DIR to it to calibrate the index serving it"
        )
        return
    if not result["better"]:
        typer.echo(f"not written: {_why_not_better(result)}")
        raise typer.Exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result["model"].to_json() + "\n", encoding="utf-8")
    typer.echo(f"wrote {target}; the service uses it from its next start")


def _why_not_better(result: dict) -> str:
    """Why a calibrated model is not written, and how many labelled questions might change it."""
    new, old = result["cross_validated"], result["committed_model"]
    figures = (
        f"cross-validated on your {new['cases']} questions, the new model has abstention F1 "
        f"{new['abstention_f1']:.2f} and {new['false_abstention_rate']:.0%} false abstentions; "
        f"the model in use has {old['abstention_f1']:.2f} and {old['false_abstention_rate']:.0%}"
    )
    if new["abstention_f1"] > old["abstention_f1"]:
        budget = "the budget is 5%, give or take 2 points"
        return f"{figures}: it refuses too many answerable questions ({budget})"
    needed = result["questions_needed"]
    if needed is None or needed <= new["cases"]:
        return f"{figures}; its learning curve does not rise with more of these questions"
    return (
        f"{figures}; its learning curve suggests about {needed - new['cases']} more labelled "
        f"questions (some {needed} in all, about a third of them unanswerable) might get there"
    )


def register(app: typer.Typer) -> None:
    """Add `eval` and `calibrate` to the `rag` app."""
    app.command("eval")(eval_command)
    app.command("calibrate")(calibrate_command)
