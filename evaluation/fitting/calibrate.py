"""Calibrating abstention: a logistic model of "the articles answer this" over evidence signals.

    python -m evaluation.fitting.calibrate [--suites fit] [--write]      # the committed model
    rag calibrate SUITE.jsonl                                    # a model for your own index

The committed model is fitted on the registry's fit suites (two corpora); the report gives its
figures on questions it did not see, leaving out one suite and one corpus at a time, with the
threshold chosen inside each fold. `rag calibrate` fits on a user's own labelled questions
(the suite format of evaluation/cases/suite.py) against their index, reports 5-fold cross-validated
figures, and writes abstention.json beside the index, which the service then prefers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from evaluation.cases.suite import Case
from evaluation.fitting.data import fitting_parser, folds, publish
from evaluation.runs.engines import default_engines, fit_entries, labelled
from service.answering.abstention import CALIBRATION_FILE, SIGNALS, AbstentionModel
from service.config import PROJECT_ROOT
from service.engine import Engine

REPORT = PROJECT_ROOT / "evaluation" / "calibration.json"
MAX_FALSE_ABSTENTION = 0.05
CV_SLACK = 0.02  # two points of false abstentions: cross-validation's drift around the budget
REGULARISATION = 1.0
INDEX_MODEL = "abstention.json"  # beside a user's index: rag calibrate writes it, Engine reads it


@dataclass(frozen=True)
class Signals:
    """Signal rows and labels (1 = answerable) of labelled cases, with where each came from."""

    x: np.ndarray
    y: np.ndarray
    groups: tuple[str, ...]  # a suite or corpus name per row

    def where(self, mask: np.ndarray) -> Signals:
        return Signals(
            self.x[mask],
            self.y[mask],
            tuple(g for g, m in zip(self.groups, mask, strict=True) if m),
        )


def signals_of(engine: Engine, cases: Sequence[Case], group: str) -> Signals:
    """The engine's evidence signals for every case with a decidable label."""
    rows, labels = [], []
    for case in cases:
        if case.abstain_ok:  # either decision is right: no label to learn from
            continue
        signals = engine.ask(case.question).answer.signals
        if not set(SIGNALS) <= signals.keys():  # decided without the model (about the article)
            continue
        rows.append([signals[name] for name in SIGNALS])
        labels.append(1 if case.answerable else 0)
    return Signals(
        np.array(rows, dtype=float).reshape(-1, len(SIGNALS)),
        np.array(labels),
        (group,) * len(labels),
    )


def joined(parts: Sequence[Signals]) -> Signals:
    return Signals(
        np.vstack([p.x for p in parts]),
        np.concatenate([p.y for p in parts]),
        tuple(g for p in parts for g in p.groups),
    )


def decision_figures(probability: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    """Abstention precision/recall/F1 (positive = abstain) and the false-abstention rate."""
    abstain = probability < threshold
    unanswerable = labels == 0
    true_positive = int((abstain & unanswerable).sum())
    precision = true_positive / abstain.sum() if abstain.sum() else 1.0
    recall = true_positive / unanswerable.sum() if unanswerable.sum() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    answerable = max(int((~unanswerable).sum()), 1)
    return {
        "abstention_precision": round(float(precision), 4),
        "abstention_recall": round(float(recall), 4),
        "abstention_f1": round(float(f1), 4),
        "false_abstention_rate": round(float((abstain & ~unanswerable).sum() / answerable), 4),
        "cases": len(labels),
        "unanswerable": int(unanswerable.sum()),
    }


def choose_threshold(probability: np.ndarray, labels: np.ndarray, max_false: float) -> float:
    """The threshold with the best abstention F1 whose false-abstention rate stays in budget."""
    best, best_f1 = 0.0, -1.0
    for threshold in np.unique(np.concatenate([[0.0], probability, [1.0]])):
        figures = decision_figures(probability, labels, float(threshold))
        if figures["false_abstention_rate"] <= max_false and figures["abstention_f1"] > best_f1:
            best, best_f1 = float(threshold), figures["abstention_f1"]
    return best


def fit_model(data: Signals, regularisation: float, max_false: float) -> AbstentionModel:
    """Logistic regression (balanced classes) and its in-budget threshold."""
    model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=5000)
    model.fit(data.x, data.y)
    probability = model.predict_proba(data.x)[:, 1]
    return AbstentionModel(
        weights={n: round(float(w), 4) for n, w in zip(SIGNALS, model.coef_[0], strict=True)},
        bias=round(float(model.intercept_[0]), 4),
        threshold=round(choose_threshold(probability, data.y, max_false), 4),
    )


def probabilities(model: AbstentionModel, x: np.ndarray) -> np.ndarray:
    weights = np.array([model.weights.get(name, 0.0) for name in SIGNALS])
    return 1.0 / (1.0 + np.exp(-np.clip(model.bias + x @ weights, -50, 50)))


def held_out_figures(data: Signals, regularisation: float, max_false: float) -> dict:
    """Each group scored by a model (and threshold) fitted on the other groups."""
    out = {}
    for group, _, _ in folds(list(dict.fromkeys(data.groups)), key=str):
        mask = np.array([g == group for g in data.groups])
        model = fit_model(data.where(~mask), regularisation, max_false)
        test = data.where(mask)
        out[group] = decision_figures(probabilities(model, test.x), test.y, model.threshold)
    return out


def main() -> None:
    parser = fitting_parser(__doc__.splitlines()[0], CALIBRATION_FILE, REGULARISATION)
    parser.add_argument("--max-false-abstention", type=float, default=MAX_FALSE_ABSTENTION)
    args = parser.parse_args()
    engines = default_engines()
    suites = labelled(engines, fit_entries(args.suites))
    by_suite = [signals_of(s.engine, s.cases, s.name) for s in suites]
    data = joined(by_suite)
    by_corpus = Signals(
        data.x,
        data.y,
        tuple(s.corpus for s in suites for _ in range(len(by_suite[suites.index(s)].y))),
    )
    fitted = fit_model(data, args.regularisation, args.max_false_abstention)
    report = {
        "model": asdict(fitted),
        "fit_suites": [s.name for s in suites],
        "max_false_abstention": args.max_false_abstention,
        "regularisation": args.regularisation,
        "fitted_on_all": decision_figures(probabilities(fitted, data.x), data.y, fitted.threshold),
        "leave_one_suite_out": held_out_figures(
            data, args.regularisation, args.max_false_abstention
        ),
        "leave_one_corpus_out": held_out_figures(
            by_corpus, args.regularisation, args.max_false_abstention
        ),
    }
    publish(fitted.to_json(), CALIBRATION_FILE, report, REPORT, args.write)


if __name__ == "__main__":
    main()


def calibrate_index(engine: Engine, cases: Sequence[Case], *, folds_count: int = 5) -> dict:
    """Fit abstention on a user's own labelled questions against their index, with figures from
    stratified k-fold cross-validation (each fold scored by a model fitted on the others)."""

    data = signals_of(engine, cases, "own")
    counts = np.bincount(data.y, minlength=2)
    if min(counts) < 2:
        raise ValueError(
            "calibration needs at least two answerable and two unanswerable questions "
            f"(the suite has {counts[1]} and {counts[0]})"
        )
    cross_validated = _cross_validated(data, folds_count)
    fitted = fit_model(data, REGULARISATION, MAX_FALSE_ABSTENTION)
    committed = decision_figures(
        probabilities(engine.answerer.abstention, data.x),
        data.y,
        engine.answerer.abstention.threshold,
    )
    return {
        "model": fitted,
        "cross_validated": cross_validated,
        "committed_model": committed,
        "better": beats(cross_validated, committed),
        "questions_needed": questions_needed(data, folds_count, committed["abstention_f1"]),
    }


def _cross_validated(data: Signals, folds_count: int, seed: int = 0) -> dict:
    """Decision figures of stratified k-fold cross-validation: each fold scored by a model
    fitted on the others, at that model's own threshold."""
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(data.y, minlength=2)
    splits = StratifiedKFold(
        n_splits=max(2, min(folds_count, int(min(counts)))), shuffle=True, random_state=seed
    )
    decided = np.zeros(len(data.y))
    for train, test in splits.split(data.x, data.y):
        model = fit_model(
            Signals(data.x[train], data.y[train], ()), REGULARISATION, MAX_FALSE_ABSTENTION
        )
        p = probabilities(model, data.x[test])
        decided[test] = (p >= model.threshold).astype(float)  # 1 = answer
    return decision_figures(decided, data.y, 0.5)


def beats(candidate: dict, current: dict) -> bool:
    """Whether a cross-validated model is better than the one in use on the same questions:
    a higher abstention F1, with no more false abstentions than the budget or the current
    model allows, whichever is larger, give or take CV_SLACK (each fold's threshold is chosen
    on the other folds, so its held-out rate drifts around the budget)."""
    budget = max(MAX_FALSE_ABSTENTION, current["false_abstention_rate"]) + CV_SLACK
    return (
        candidate["abstention_f1"] > current["abstention_f1"]
        and candidate["false_abstention_rate"] <= budget
    )


def questions_needed(data: Signals, folds_count: int, target_f1: float) -> int | None:
    """How many labelled questions a model fitted on this user's questions would need to reach
    `target_f1`, from its learning curve (cross-validated F1 on a half, three quarters and all
    of them, a straight line in log n); None when the curve does not rise."""
    rng = np.random.default_rng(0)
    sizes, scores = [], []
    for share in (0.5, 0.75, 1.0):
        keep = np.concatenate(
            [
                rng.permutation(np.flatnonzero(data.y == label))[
                    : max(2, round(share * np.sum(data.y == label)))
                ]
                for label in (0, 1)
            ]
        )
        sample = Signals(data.x[keep], data.y[keep], ())
        sizes.append(len(keep))
        scores.append(_cross_validated(sample, folds_count)["abstention_f1"])
    slope, intercept = np.polyfit(np.log(sizes), scores, 1)
    if scores[-1] >= target_f1:
        return len(data.y)
    if slope <= 0.01:
        return None
    return int(np.ceil(np.exp((target_f1 - intercept) / slope)))
