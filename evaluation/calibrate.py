"""Calibrating abstention: fit a logistic model of "the articles answer this" on labelled suites.

    python -m evaluation.calibrate --write

Fits on the training suites (calibration, training and public), picks the probability threshold that
maximises abstention F1 while keeping false abstentions within the target, reports the same
figures on the held-out suite, and writes service/abstention.json plus a calibration report.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser, Namespace
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from evaluation.suite import Case, load_suite
from service.answering.abstention import CALIBRATION_FILE, AbstentionModel, EvidenceSignals
from service.config import PROJECT_ROOT, settings_from_env
from service.engine import Engine

SUITES = PROJECT_ROOT / "evaluation" / "suites"
REPORT = PROJECT_ROOT / "evaluation" / "calibration.json"
# Labelled suites both models learn from; holdout.jsonl is never among them.
TRAIN_SUITES = ("calibration.jsonl", "training.jsonl", "articles.jsonl")
FEATURES = [f.name for f in fields(EvidenceSignals)]


def signals_of(engine: Engine, cases: list[Case]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows (the engine's evidence signals) and labels (1 = answerable)."""
    rows, labels = [], []
    for case in cases:
        if case.abstain_ok:  # either decision is right: no label to learn from
            continue
        signals = engine.ask(case.question).answer.signals
        rows.append([signals[name] for name in FEATURES])
        labels.append(1 if case.answerable else 0)
    return np.array(rows, dtype=float), np.array(labels)


def decision_figures(probability: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    """Abstention precision/recall/F1 (positive = abstain) and the false-abstention rate."""
    abstain = probability < threshold
    unanswerable = labels == 0
    true_positive = int((abstain & unanswerable).sum())
    precision = true_positive / abstain.sum() if abstain.sum() else 1.0
    recall = true_positive / unanswerable.sum() if unanswerable.sum() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    false_rate = (abstain & ~unanswerable).sum() / (~unanswerable).sum()
    return {
        "abstention_precision": round(float(precision), 4),
        "abstention_recall": round(float(recall), 4),
        "abstention_f1": round(float(f1), 4),
        "false_abstention_rate": round(float(false_rate), 4),
        "cases": len(labels),
        "unanswerable": int(unanswerable.sum()),
    }


def choose_threshold(probability: np.ndarray, labels: np.ndarray, max_false: float) -> float:
    """The threshold with the best F1 among those within the false-abstention budget; ties go
    to the middle of the best range so the cut sits away from any one training case."""
    candidates = np.unique(np.concatenate([probability, [0.5]]))
    midpoints = (candidates[:-1] + candidates[1:]) / 2
    scored = []
    for threshold in midpoints:
        figures = decision_figures(probability, labels, threshold)
        if figures["false_abstention_rate"] <= max_false:
            scored.append((figures["abstention_f1"], threshold))
    if not scored:
        return 0.5
    best = max(f1 for f1, _ in scored)
    tied = [t for f1, t in scored if f1 == best]
    return float(np.median(tied))


def suite_name(path: Path) -> str:
    """A suite's path as reports show it: relative to the project when inside it."""
    resolved = path.resolve()
    return (
        str(resolved.relative_to(PROJECT_ROOT))
        if resolved.is_relative_to(PROJECT_ROOT)
        else str(path)
    )


def publish(
    model_json: str, model_path: Path, report: dict, report_path: Path, write: bool
) -> None:
    """Print the report; with `write`, commit the fitted model and its report beside it."""
    print(json.dumps(report, indent=2))
    if write:
        model_path.write_text(model_json + "\n", encoding="utf-8")
        report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {model_path} and {report_path}")


def fitting_parser(description: str, writes: Path, regularisation: float) -> ArgumentParser:
    """The options every model-fitting script shares; defaults are the committed choices."""
    parser = ArgumentParser(description=description)
    parser.add_argument("--train", action="append", type=Path, help="suite (repeatable)")
    parser.add_argument("--check", action="append", type=Path, help="held-out suite (repeatable)")
    parser.add_argument("--regularisation", type=float, default=regularisation, help="C")
    parser.add_argument("--write", action="store_true", help=f"write {suite_name(writes)}")
    return parser


def suites_of(args: Namespace) -> tuple[list[Path], list[Path]]:
    """The training and check suites asked for, or the committed defaults."""
    train = args.train or [SUITES / name for name in TRAIN_SUITES]
    return train, args.check or [SUITES / "holdout.jsonl"]


def main() -> None:
    parser = fitting_parser(__doc__.splitlines()[0], CALIBRATION_FILE, regularisation=10.0)
    parser.add_argument("--max-false-abstention", type=float, default=0.05)
    args = parser.parse_args()
    train, check = suites_of(args)
    settings = settings_from_env()
    engine = Engine.open(settings)
    train_cases = [c for path in train for c in load_suite(path, settings.corpus_dir)]
    x, y = signals_of(engine, train_cases)
    model = LogisticRegression(C=args.regularisation, class_weight="balanced", max_iter=5000)
    model.fit(x, y)
    probability = model.predict_proba(x)[:, 1]
    threshold = choose_threshold(probability, y, args.max_false_abstention)
    fitted = AbstentionModel(
        weights={n: round(float(w), 4) for n, w in zip(FEATURES, model.coef_[0], strict=True)},
        bias=round(float(model.intercept_[0]), 4),
        threshold=round(threshold, 4),
    )
    report = {
        "model": asdict(fitted),
        "train_suites": [suite_name(p) for p in train],
        "train": decision_figures(probability, y, threshold),
        "max_false_abstention": args.max_false_abstention,
        "regularisation": args.regularisation,
        "retrieval_mode": settings.retrieval_mode,
        "chunking": asdict(settings.chunking),
        "check": {},
    }
    for path in check:
        cx, cy = signals_of(engine, load_suite(path, settings.corpus_dir))
        p = model.predict_proba(cx)[:, 1]
        report["check"][suite_name(path)] = decision_figures(p, cy, threshold)
    publish(fitted.to_json(), CALIBRATION_FILE, report, REPORT, args.write)


if __name__ == "__main__":
    main()
