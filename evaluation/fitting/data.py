"""What both fitted models share: suites grouped for cross-validation, the scripts' options,
and writing a fitted model with its report (engines per corpus: evaluation/runs/engines.py).

Cross-validation is by suite (each fit suite scored by a model fitted on the others) and across
corpora (a model fitted on one corpus's suites, scored on the other corpus's), so every figure a
fitting script prints comes from questions the model being scored did not see.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from evaluation.runs.engines import relative

T = TypeVar("T")


def folds(items: Sequence[T], key: Callable[[T], str]) -> list[tuple[str, list[T], list[T]]]:
    """Leave-one-group-out: (held group, fit on the rest, score on the group) per group."""
    groups = list(dict.fromkeys(key(item) for item in items))
    return [
        (group, [i for i in items if key(i) != group], [i for i in items if key(i) == group])
        for group in groups
        if len(groups) > 1
    ]


def fitting_parser(description: str, writes: Path, regularisation: float) -> ArgumentParser:
    """The options every model-fitting script shares; defaults are the committed choices."""
    parser = ArgumentParser(description=description)
    parser.add_argument(
        "--suites",
        nargs="+",
        default=["fit"],
        help="registry names (or `fit`) to fit on; default: every fit suite",
    )
    parser.add_argument("--regularisation", type=float, default=regularisation, help="C")
    parser.add_argument("--write", action="store_true", help=f"write {relative(writes)}")
    return parser


def publish(
    model_json: str, model_path: Path, report: dict, report_path: Path, write: bool
) -> None:
    """Print the report; with `write`, commit the fitted model and its report beside it."""
    print(json.dumps(report, indent=2))
    if write:
        model_path.parent.mkdir(parents=True, exist_ok=True)
        model_path.write_text(model_json + "\n", encoding="utf-8")
        report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {relative(model_path)} and {relative(report_path)}")
