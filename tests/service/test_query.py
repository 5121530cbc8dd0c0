"""Question analysis: cleaning, focus, answer types and the rare-unknown-word signal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.answering.abstention import load_model
from service.answering.evidence import rare_unknown_word
from service.intent import expected_answer_type, provides_answer_type
from service.query import clean_question, focus_question

CORPUS_WORDS = {"men", "withdraw", "emotionally", "say", "pull", "away", "why", "couples"}


def _known(word: str) -> bool:
    return word in CORPUS_WORDS


def test_rare_word_the_corpus_lacks_scores_high_and_everyday_words_low():
    named = rare_unknown_word("What did Freud say about why men withdraw emotionally?", _known)
    casual = rare_unknown_word("why would a guy clearly pull away", _known)
    assert named > 0.35
    assert casual < 0.2
    assert named > casual


def test_words_the_corpus_knows_and_foreign_words_count_zero():
    assert rare_unknown_word("why do men pull away", _known) == 0.0
    assert rare_unknown_word("welchem porcentaje", _known) == 0.0  # not English words at all
    assert rare_unknown_word("", _known) == 0.0


def test_answer_types():
    assert expected_answer_type("How many men feel this?") == "number"
    assert expected_answer_type("Who wrote the study?") == "name"
    assert expected_answer_type("Why does he pull away?") is None
    assert provides_answer_type("number", "About 88% of men said so.", "how many men")
    assert not provides_answer_type("number", "Men said so.", "how many men")


def test_cleaning_and_focus():
    assert clean_question("<b>why</b>   &amp; how<script>x()</script>") == "why & how"
    rambling = "I have a long story. " * 60 + "Why does he go quiet?"
    assert focus_question(rambling).endswith("Why does he go quiet?")
    assert len(focus_question(rambling)) <= 600


def test_abstention_model_with_unknown_signal_is_refused(tmp_path: Path):
    bad = tmp_path / "abstention.json"
    bad.write_text(json.dumps({"weights": {"best_sentence": 1.0, "mystery": 1.0}, "bias": 0.0}))
    with pytest.raises(ValueError, match="mystery"):
        load_model(bad)
