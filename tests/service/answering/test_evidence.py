"""Evidence signals on the real index: what abstention gets to weigh."""

from __future__ import annotations

from service.answering.abstention import EvidenceSignals


def test_rare_word_the_articles_never_use_is_flagged(engine):
    signals = engine.ask("What did Freud say about why men withdraw emotionally?").answer.signals
    assert signals["rare_unknown"] > 0.3
    assert signals["unknown_terms"] > 0


def test_answerable_number_question_has_its_number_and_no_unknown_words(engine):
    signals = engine.ask("How long should I give him space when he pulls away?").answer.signals
    assert signals["rare_unknown"] == 0.0
    assert signals["type_match"] == 1.0  # "3 to 7 days" gives the number asked for
    assert signals["agreement"] == 1.0
    assert set(signals) == set(EvidenceSignals.__dataclass_fields__)
