"""Running several registered suites, each against its own corpus, for the service and the
simple baselines, and pooling their cases into one row per system.

This is what `make eval` and the CI gate run: the held-out suites (written blind, never fitted
on), so the figures it prints are the ones the README quotes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evaluation.cases.registry import SuiteEntry, resolve
from evaluation.compare.baselines import NAMES, baseline_engine, load_thresholds
from evaluation.compare.peers import PeerCache
from evaluation.runs.engines import Engines, labelled
from evaluation.runs.report import git_commit, markdown_table, text_table, write_json
from evaluation.runs.runner import Ask, corpus_of_index, in_process, run_cases, score
from evaluation.scoring.gate import check_thresholds
from evaluation.scoring.pooled import pooled
from service.config import settings_from_env

SERVICE = "service"
COLUMNS = (
    "hit@1", "hit@5", "mrr@10", "must_contain", "citation_precision", "answer_sentences",
    "groundedness", "fragments", "abstention_f1", "false_abstention_rate",
)  # fmt: skip


@dataclass(frozen=True)
class SuiteRun:
    """One suite through one system: the full scored report of evaluation.runs.runner.score."""

    suite: str
    system: str
    report: dict


def run_campaign(
    engines: Engines,
    entries: Sequence[SuiteEntry],
    *,
    baselines: bool,
    peers: bool = False,
    progress: Callable[[str], None] = lambda _m: None,
) -> list[SuiteRun]:
    """Every suite through the service (and the baselines, and the peers of
    evaluation/compare/peers.py), in process."""
    thresholds = load_thresholds()
    peer_cache = PeerCache()
    runs = []
    for suite in labelled(engines, entries):
        systems: dict[str, Ask] = {SERVICE: in_process(suite.engine)}
        if baselines:
            systems |= {n: in_process(baseline_engine(suite.engine, n, thresholds)) for n in NAMES}
        if peers:
            systems |= peer_cache.asks(suite.engine)
        corpus = corpus_of_index(suite.engine.index)  # the baselines' and peers' index too
        for name, ask in systems.items():
            progress(f"{suite.name}: {len(suite.cases)} questions through {name}")
            runs.append(SuiteRun(suite.name, name, score(run_cases(suite.cases, ask), corpus)))
    return runs


def summary(runs: Sequence[SuiteRun]) -> dict:
    """Per suite and system, and every held-out case pooled per system."""
    systems = list(dict.fromkeys(r.system for r in runs))
    rows = {
        f"{r.suite} · {r.system}": {c: r.report["metrics"].get(c) for c in COLUMNS} for r in runs
    }
    pools = {s: pooled([(r.suite, r.report) for r in runs if r.system == s]) for s in systems}
    service = [(r.suite, r.report) for r in runs if r.system == SERVICE]
    styles = sorted({c.get("style", "plain") for _, report in service for c in report["cases"]})
    return {
        "suites": sorted({r.suite for r in runs}),
        "rows": rows,
        "pooled": pools,
        "service_by_style": {style: pooled(service, style) for style in styles},
    }


STYLE_COLUMNS = ("cases", "hit@1", "hit@5", "must_contain", "citation_precision", "abstention_f1",
                 "false_abstention_rate")  # fmt: skip


def _fmt(value: object) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _table_rows(data: dict) -> list[list[str]]:
    rows = [[name, *(_fmt(v) for v in figures.values())] for name, figures in data["rows"].items()]
    rows += [
        [f"POOLED · {system}", *(_fmt(figures.get(c)) for c in COLUMNS)]
        for system, figures in data["pooled"].items()
    ]
    return rows


def _style_rows(data: dict) -> list[list[str]]:
    return [
        [style, *(_fmt(figures.get(c)) for c in STYLE_COLUMNS)]
        for style, figures in data.get("service_by_style", {}).items()
    ]


def render_text(data: dict) -> str:
    main = text_table(["suite · system", *COLUMNS], _table_rows(data))
    styles = text_table(["service, by question style", *STYLE_COLUMNS], _style_rows(data))
    return f"{main}\n\n{styles}"


def render_markdown(data: dict) -> str:
    main = markdown_table(["suite · system", *COLUMNS], _table_rows(data))
    styles = markdown_table(["service, by question style", *STYLE_COLUMNS], _style_rows(data))
    return f"{main}\n\n{styles}"


HEADLINE = ("hit@1", "hit@5", "mrr@10", "must_contain", "citation_precision", "fragments",
            "abstention_f1", "false_abstention_rate", "groundedness")  # fmt: skip


def render_headline(data: dict) -> str:
    """The README's short table: one pooled row per system."""
    rows = [
        [system, _fmt(figures.get("cases")), *(_fmt(figures.get(c)) for c in HEADLINE)]
        for system, figures in data["pooled"].items()
    ]
    return markdown_table(["pooled, every case once", "cases", *HEADLINE], rows)


def write_docs(data: dict, role: str, command: str) -> None:
    """The figures in the docs: block `role` of docs/evaluation.md (every suite, pooled rows,
    question styles, the gate) and, for the held-out suites, the README's headline."""
    from evaluation.runs.docs_figures import DOCS, README, publish

    tables = render_markdown(data)
    if data.get("gate"):
        failed = sum(not check["passed"] for check in data["gate"])
        tables += (
            f"\n\nThresholds on the pooled service row: {len(data['gate']) - failed} passed, "
            f"{failed} failed."
        )
    publish(DOCS / "evaluation.md", role, command, tables)
    if role == "heldout":
        publish(README, "headline", command, render_headline(data))


def write_summary(data: dict, out_dir: Path) -> dict[str, Path]:
    """summary.json and summary.md of a campaign."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "summary.json", "markdown": out_dir / "summary.md"}
    write_json(data, paths["json"])
    paths["markdown"].write_text(render_markdown(data) + "\n", encoding="utf-8")
    return paths


def run_registered(
    targets: list[str],
    *,
    baselines: bool,
    limits: dict | None,
    out_dir: Path,
    say: Callable[[str], None],
    docs_command: str | None = None,
) -> tuple[str, int]:
    """`rag eval heldout` and friends: the printed table, and the exit status (1 when a
    threshold on the pooled service row fails or a case errored). With `docs_command` (a whole
    role, `heldout` or `fit`, run as that command), the docs' figures are rewritten too."""
    entries = resolve(targets)
    engines = Engines(settings_from_env())
    runs = run_campaign(engines, entries, baselines=baselines, peers=baselines, progress=say)
    data = summary(runs) | {
        "git_commit": git_commit(),
        "split": sorted({e.role.value for e in entries}),
    }
    for run in runs:
        write_json(run.report, out_dir / run.suite / f"{run.system.replace(' ', '-')}.json")
    checks = []
    if limits is not None:
        service = {"metrics": data["pooled"][SERVICE], "counts": {"errors": _errors(runs)}}
        checks = check_thresholds(service, limits)
        data["gate"] = [c.as_dict() for c in checks]
    paths = write_summary(data, out_dir)
    if docs_command is not None:
        write_docs(data, targets[0], docs_command)
    lines = [
        f"Suites: {', '.join(e.name for e in entries)} (split: {', '.join(data['split'])}); "
        f"POOLED rows count every case of those suites once.",
        render_text(data),
    ]
    if checks:
        failed = sum(not c.passed for c in checks)
        passed = len(checks) - failed
        lines += [f"\nThresholds on the pooled service row: {passed} passed, {failed} failed"]
        lines += [f"  {c.describe()}" for c in checks]
    lines += ["", *(f"{k + ':':<9} {v}" for k, v in paths.items())]
    failed_run = _errors(runs) > 0 or any(not c.passed for c in checks)
    return "\n".join(lines), 1 if failed_run else 0


def _errors(runs: Sequence[SuiteRun]) -> int:
    return sum(r.report["counts"]["errors"] for r in runs if r.system == SERVICE)
