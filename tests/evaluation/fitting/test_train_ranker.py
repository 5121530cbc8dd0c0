"""Ranker training mechanics on synthetic candidates (fast; the real run is a script)."""

from __future__ import annotations

import numpy as np

from evaluation.fitting.train_ranker import Question, fit, pairs_of, ranking_figures
from service.answering.features import FEATURES

WIDTH = len(FEATURES)
SIGNAL = FEATURES.index("heading_match")


def _question(rng: np.random.Generator, n: int, answer: int) -> Question:
    """Candidates whose answer stands out only in one feature the hand-set ranker ignores."""
    features = rng.normal(0.0, 0.1, size=(n, WIDTH))
    features[answer, SIGNAL] += 1.0
    labels = np.zeros(n, dtype=int)
    labels[answer] = 1
    return Question(f"q{answer}", "s", "c", features, labels)


def test_pairs_are_mirrored_and_each_question_weighs_the_same():
    rng = np.random.default_rng(0)
    small, large = _question(rng, 3, 0), _question(rng, 9, 1)
    x, y, w = pairs_of([small, large])
    assert x.shape == (2 * (2 + 8), WIDTH)
    assert y.sum() == len(y) / 2
    np.testing.assert_allclose(x[:2], -x[2:4])  # the first question's pairs and their mirror
    assert w[:4].sum() == np.float64(2.0) and w[4:].sum() == np.float64(2.0)


def test_questions_without_a_non_answer_give_no_pairs():
    only = Question("q", "s", "c", np.ones((2, WIDTH)), np.array([1, 1]))
    rng = np.random.default_rng(1)
    x, _, _ = pairs_of([only, _question(rng, 4, 2)])
    assert len(x) == 2 * 3


def test_fit_learns_the_feature_that_separates_answers():
    rng = np.random.default_rng(2)
    train = [_question(rng, 12, int(rng.integers(12))) for _ in range(40)]
    weights = fit(train, regularisation=1.0)
    assert int(np.argmax(weights)) == SIGNAL
    held_out = [_question(rng, 12, int(rng.integers(12))) for _ in range(20)]
    figures = ranking_figures(held_out, weights)
    assert figures["top1"] == 1.0 and figures["reachable"] == 20


def test_ranking_figures_count_only_reachable_questions():
    hopeless = Question("none", "s", "c", np.zeros((3, WIDTH)), np.zeros(3, dtype=int))
    weights = np.zeros(WIDTH)
    weights[0] = 1.0
    features = np.zeros((3, WIDTH))
    features[:, 0] = [0.9, 0.5, 0.1]
    second = Question("second", "s", "c", features, np.array([0, 1, 0]))
    figures = ranking_figures([hopeless, second], weights)
    assert figures == {"questions": 2, "reachable": 1, "top1": 0.0, "top2": 1.0, "mrr": 0.5}
