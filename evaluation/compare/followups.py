"""Follow-up questions, three ways on the same conversations: the last turn with the chat's
earlier questions (as the service is asked in a chat), the last turn alone (what the service
did before it read history), and the last turn written out in full (the target: a follow-up
should do as well as the question a reader would have written out).

    python -m evaluation.compare.followups [--no-docs]
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from evaluation.cases.registry import Role, with_role
from evaluation.runs.docs_figures import module_command, publish
from evaluation.runs.engines import Engines, default_engines, labelled
from evaluation.runs.report import markdown_table, text_table, write_json
from evaluation.runs.runner import corpus_of_index, in_process, run_cases, score
from evaluation.scoring.pooled import pooled
from service.config import PROJECT_ROOT

WAYS = {
    "in a chat (with history)": lambda case: case,
    "last turn alone": lambda case: replace(case, history=()),
    "written out in full": lambda case: replace(
        case, question=case.full_question or case.question, history=()
    ),
}
COLUMNS = ("cases", "hit@1", "hit@5", "must_contain", "citation_precision", "abstention_f1",
           "false_abstention_rate")  # fmt: skip
DOC = PROJECT_ROOT / "docs" / "evaluation.md"
REPORT = PROJECT_ROOT / "reports" / "followups.json"


def run(engines: Engines, role: Role = Role.FOLLOWUP) -> dict:
    """Pooled figures per way over the follow-up suites of one role, and per suite."""
    reports: dict[str, list[tuple[str, dict]]] = {way: [] for way in WAYS}
    for suite in labelled(engines, with_role(role)):
        corpus = corpus_of_index(suite.engine.index)
        for way, rewrite in WAYS.items():
            cases = [rewrite(case) for case in suite.cases]
            results = run_cases(cases, in_process(suite.engine))
            reports[way].append((suite.name, score(results, corpus)))
    return {
        "suites": [name for name, _ in reports[next(iter(WAYS))]],
        "pooled": {way: pooled(runs) for way, runs in reports.items()},
        "per_suite": {
            way: {name: report["metrics"] for name, report in runs} for way, runs in reports.items()
        },
    }


def _fmt(value: object) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def rows(data: dict) -> list[list[str]]:
    return [
        [way, *(_fmt(figures.get(column)) for column in COLUMNS)]
        for way, figures in data["pooled"].items()
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-docs", action="store_true", help="leave docs/evaluation.md alone")
    parser.add_argument(
        "--dev", action="store_true", help="the chats read while building (not for claims)"
    )
    args = parser.parse_args(argv)
    role = Role.FOLLOWUP_DEV if args.dev else Role.FOLLOWUP
    data = run(default_engines(), role)
    write_json(data, REPORT.with_name(f"{role.value}s.json"))
    headers = [f"last turn, {len(data['suites'])} {role.value} suites pooled", *COLUMNS]
    print(text_table(headers, rows(data)))
    if not args.no_docs and not args.dev:
        publish(DOC, "followups", module_command("evaluation.compare.followups", argv),
                markdown_table(headers, rows(data)))  # fmt: skip


if __name__ == "__main__":
    main()
