"""Question analysis: cleaning, focus and the rare-unknown-word signal (intent: test_intent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.answering.abstention import load_model
from service.answering.evidence import rare_unknown_word
from service.question.query import clean_question, focus_question

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


def test_cleaning_and_focus():
    assert clean_question("<b>why</b>   &amp; how<script>x()</script>") == "why & how"
    story = "I have a long story. " * 30
    asked = "Why does he go quiet when things get serious?"
    assert focus_question(story + asked + " Thanks.") == asked  # the asking, wherever it sits
    assert focus_question(asked + " " + story + "Or is it me?") == asked + " Or is it me?"
    argument = "Glaciers retreat as summers warm. " * 30  # long, asks nothing: read whole
    assert focus_question(argument) == argument
    vague = story + "Any thoughts?"  # asks too little to stand alone: read whole, not cut
    assert focus_question(vague) == vague
    assert focus_question("why does he go quiet") == "why does he go quiet"


def test_abstention_model_with_unknown_signal_is_refused(tmp_path: Path):
    bad = tmp_path / "abstention.json"
    bad.write_text(json.dumps({"weights": {"best_sentence": 1.0, "mystery": 1.0}, "bias": 0.0}))
    with pytest.raises(ValueError, match="mystery"):
        load_model(bad)
