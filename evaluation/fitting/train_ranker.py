"""Training the answer-sentence ranker on suites whose evidence marks the sentences that answer.

    python -m evaluation.fitting.train_ranker [--suites fit] [--write]

For every answerable case, the candidate sentences of its top passages are labelled by whether
they overlap the case's evidence; a pairwise logistic model (answering sentence against
non-answering sentence of the same question) learns the feature weights. The report gives, for
the hand-set ranker and the trained one, how often the top-ranked sentence answers on questions
the model did not see: leaving out one suite at a time, and one corpus at a time. With --write
it commits service/answering/fitted/sentence_ranker.json and evaluation/sentence_ranker.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from evaluation.cases.suite import Case, Span
from evaluation.fitting.data import fitting_parser, folds, publish
from evaluation.runs.engines import LabelledSuite, default_engines, fit_entries, labelled
from evaluation.runs.runner import corpus_of_index
from service.answering.extractive import candidate_features
from service.answering.features import FEATURES
from service.answering.ranker import HAND_SET, RANKER_FILE, SentenceRanker
from service.config import PROJECT_ROOT
from service.engine import Engine

REPORT = PROJECT_ROOT / "evaluation" / "sentence_ranker.json"


@dataclass(frozen=True)
class Question:
    """One answerable case's candidates: feature rows and which of them answer."""

    case_id: str
    suite: str
    corpus: str
    features: np.ndarray
    labels: np.ndarray


def questions_of(
    engine: Engine, cases: tuple[Case, ...], suite: str, corpus: str
) -> list[Question]:
    index = engine.index
    source_of = corpus_of_index(index).source_of
    config = engine.answerer.config
    out = []
    for case in cases:
        if not case.answerable or not case.evidence_spans:
            continue
        query = engine.query(case.question, index)
        hits = engine.retrieve(query, index, config.candidate_passages)
        rows, labels = [], []
        for sid, features in candidate_features(index, query, hits, config):
            s = index.sentences[sid]
            span = Span(source_of[s.doc_id], s.start, s.end)
            rows.append(features.vector())
            labels.append(int(any(span.overlaps(e) for e in case.evidence_spans)))
        if rows:
            out.append(
                Question(case.id, suite, corpus, np.array(rows, dtype=float), np.array(labels))
            )
    return out


def _weights_vector(ranker: SentenceRanker) -> np.ndarray:
    return np.array([ranker.weights.get(name, 0.0) for name in FEATURES])


def ranking_figures(questions: list[Question], weights: np.ndarray) -> dict:
    """How often the top sentence answers (top1), is among the top two, and the MRR, over the
    questions whose candidates hold an answering sentence at all."""
    reachable = [q for q in questions if q.labels.any()]
    top1 = top2 = reciprocal = 0.0
    for q in reachable:
        order = np.argsort(-(q.features @ weights), kind="stable")
        first = int(np.flatnonzero(q.labels[order])[0]) + 1
        top1 += first == 1
        top2 += first <= 2
        reciprocal += 1 / first
    n = len(reachable) or 1
    return {
        "questions": len(questions),
        "reachable": len(reachable),
        "top1": round(top1 / n, 4),
        "top2": round(top2 / n, 4),
        "mrr": round(reciprocal / n, 4),
    }


def pairs_of(questions: list[Question]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differences answering-minus-other (label 1) and their mirror (label 0); each question
    weighs the same however many pairs it has."""
    rows, labels, weights = [], [], []
    for q in questions:
        good, bad = q.features[q.labels == 1], q.features[q.labels == 0]
        if not len(good) or not len(bad):
            continue
        diffs = (good[:, None, :] - bad[None, :, :]).reshape(-1, len(FEATURES))
        share = 1.0 / len(diffs)
        rows += [diffs, -diffs]
        labels += [np.ones(len(diffs)), np.zeros(len(diffs))]
        weights += [np.full(len(diffs), share)] * 2
    return np.vstack(rows), np.concatenate(labels), np.concatenate(weights)


def fit(questions: list[Question], regularisation: float) -> np.ndarray:
    """Pairwise logistic weights, rescaled so scores spread as the hand-set ranker's do (the
    answer composer's margins are in that unit)."""
    x, y, w = pairs_of(questions)
    model = LogisticRegression(C=regularisation, fit_intercept=False, max_iter=10000)
    model.fit(x, y, sample_weight=w * len(questions))
    weights = model.coef_[0]
    every = np.vstack([q.features for q in questions])
    spread = float(np.std(every @ weights))
    target = float(np.std(every @ _weights_vector(HAND_SET)))
    return weights * (target / spread) if spread else weights


def cross_validated(questions: list[Question], regularisation: float, by: str) -> dict:
    """Leave one suite (or corpus) out: hand-set against trained-without-it, per group."""
    figures = {}
    for group, train, test in folds(questions, key=lambda q: getattr(q, by)):
        figures[group] = {
            "hand_set": ranking_figures(test, _weights_vector(HAND_SET)),
            "trained_without_it": ranking_figures(test, fit(train, regularisation)),
        }
    return figures


def main() -> None:
    args = fitting_parser(__doc__.splitlines()[0], RANKER_FILE, regularisation=1.0).parse_args()
    engines = default_engines()
    suites: list[LabelledSuite] = labelled(engines, fit_entries(args.suites))
    questions = [q for s in suites for q in questions_of(s.engine, s.cases, s.name, s.corpus)]
    weights = fit(questions, args.regularisation)
    trained = SentenceRanker(
        {name: round(float(w), 4) for name, w in zip(FEATURES, weights, strict=True)}
    )
    settings = engines.settings
    report: dict = {
        "model": asdict(trained),
        "fit_suites": [s.name for s in suites],
        "regularisation": args.regularisation,
        "retrieval_mode": settings.retrieval_mode.value,
        "chunking": asdict(settings.chunking),
        "fitted_on_all": {
            "hand_set": ranking_figures(questions, _weights_vector(HAND_SET)),
            "trained": ranking_figures(questions, weights),
        },
        "leave_one_suite_out": cross_validated(questions, args.regularisation, "suite"),
        "leave_one_corpus_out": cross_validated(questions, args.regularisation, "corpus"),
    }
    publish(trained.to_json(), RANKER_FILE, report, REPORT, args.write)


if __name__ == "__main__":
    main()
