"""`rag calibrate SUITE`: abstention fitted on a user's own questions, written beside their index
and preferred by the engine from then on."""

from __future__ import annotations

import json

import numpy as np

from evaluation.fitting.calibrate import choose_threshold, decision_figures
from service.answering.abstention import SIGNALS, load_model
from service.engine import INDEX_ABSTENTION, default_answerer
from tests.support.rag import invoke
from tests.support.suites import subset_lines


def test_calibrate_writes_a_model_beside_the_index_that_the_engine_then_uses(
    scratch_settings, tmp_path
):
    suite = tmp_path / "mine.jsonl"
    suite.write_text("\n".join(subset_lines()) + "\n", encoding="utf-8")
    result = invoke(scratch_settings, "calibrate", str(suite))
    assert result.exit_code == 0, result.output
    assert "cross-validated on your questions" in result.output
    written = scratch_settings.index_dir / INDEX_ABSTENTION
    model = load_model(written)
    assert set(model.weights) == set(SIGNALS)
    assert default_answerer(scratch_settings).abstention == model  # the engine prefers it


def test_calibrate_dry_run_writes_nothing_and_a_one_sided_suite_is_refused(
    scratch_settings, tmp_path
):
    answerable = [line for line in subset_lines() if json.loads(line)["answerable"]]
    suite = tmp_path / "one-sided.jsonl"
    suite.write_text("\n".join(answerable) + "\n", encoding="utf-8")
    result = invoke(scratch_settings, "calibrate", str(suite), "--dry-run")
    assert result.exit_code == 2
    assert "needs at least two answerable and two unanswerable" in result.output
    assert not (scratch_settings.index_dir / INDEX_ABSTENTION).exists()


def test_the_threshold_keeps_false_abstentions_in_budget():
    probability = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.6, 0.1])
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    threshold = choose_threshold(probability, labels, max_false=0.0)
    figures = decision_figures(probability, labels, threshold)
    assert figures["false_abstention_rate"] == 0.0
    assert figures["abstention_recall"] == 0.75  # 0.3, 0.2, 0.1 abstained; 0.6 is not
