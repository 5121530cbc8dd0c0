"""`rag calibrate SUITE`: abstention fitted on a user's own questions, written beside their index
and preferred by the engine from then on."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from evaluation.fitting import calibrate
from evaluation.fitting.calibrate import choose_threshold, decision_figures
from service.answering.abstention import SIGNALS, load_model
from service.engine import INDEX_ABSTENTION, default_answerer
from tests.support.paths import SUITE
from tests.support.rag import invoke
from tests.support.suites import subset_lines


def never_abstaining(settings) -> None:
    """A model in use beside the index that answers everything (abstention F1 0)."""
    written = settings.index_dir / INDEX_ABSTENTION
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(replace(load_model(), threshold=0.0).to_json() + "\n", encoding="utf-8")


def test_calibrate_writes_a_model_beside_the_index_that_the_engine_then_uses(
    scratch_settings, tmp_path
):
    never_abstaining(scratch_settings)  # so the cross-validated model beats the one in use
    result = invoke(scratch_settings, "calibrate", str(SUITE))  # 92 questions, 19 unanswerable
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


def test_a_model_that_does_not_beat_the_one_in_use_is_not_written(
    scratch_settings, tmp_path, monkeypatch
):
    suite = tmp_path / "mine.jsonl"
    suite.write_text("\n".join(subset_lines()) + "\n", encoding="utf-8")
    real = calibrate.calibrate_index

    def worse(engine, cases):
        result = real(engine, cases)
        committed = {**result["cross_validated"], "abstention_f1": 1.0}
        return {**result, "committed_model": committed, "better": False, "questions_needed": 400}

    monkeypatch.setattr(calibrate, "calibrate_index", worse)
    result = invoke(scratch_settings, "calibrate", str(suite))
    assert result.exit_code == 1
    assert "not written: cross-validated on your" in result.output
    assert f"about {400 - len(subset_lines())} more labelled" in " ".join(result.output.split())
    assert not (scratch_settings.index_dir / INDEX_ABSTENTION).exists()


def test_beating_needs_a_higher_f1_within_the_false_abstention_budget():
    current = {"abstention_f1": 0.5, "false_abstention_rate": 0.0}
    assert calibrate.beats({"abstention_f1": 0.6, "false_abstention_rate": 0.04}, current)
    assert calibrate.beats({"abstention_f1": 0.6, "false_abstention_rate": 0.07}, current)
    assert not calibrate.beats({"abstention_f1": 0.6, "false_abstention_rate": 0.08}, current)
    assert not calibrate.beats({"abstention_f1": 0.5, "false_abstention_rate": 0.0}, current)


def test_the_learning_curve_says_how_many_questions_a_weak_signal_needs():
    rng = np.random.default_rng(1)
    labels = np.array([0, 1] * 40)
    noise = rng.normal(0, 1, (80, len(SIGNALS)))
    clear = noise.copy()
    clear[:, 0] = labels * 4.0 + rng.normal(0, 0.3, 80)  # one signal tells them apart
    signals = calibrate.Signals
    assert calibrate.questions_needed(signals(clear, labels, ()), 5, 0.8) == 80
    assert calibrate.questions_needed(signals(noise, labels, ()), 5, 0.99) is None


def test_the_threshold_keeps_false_abstentions_in_budget():
    probability = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.6, 0.1])
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    threshold = choose_threshold(probability, labels, max_false=0.0)
    figures = decision_figures(probability, labels, threshold)
    assert figures["false_abstention_rate"] == 0.0
    assert figures["abstention_recall"] == 0.75  # 0.3, 0.2, 0.1 abstained; 0.6 is not
