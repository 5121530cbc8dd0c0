"""The sentence ranker's features on the real index, and its committed weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.answering.extractive import candidate_features
from service.answering.features import FEATURES, SentenceFeatures
from service.answering.ranker import RANKER_FILE, FittedModelError, load_ranker
from service.engine import Engine
from service.serving import ServingIndex


def _sid(index: ServingIndex, starts_with: str) -> int:
    matches = [i for i, s in enumerate(index.sentences) if s.text.startswith(starts_with)]
    assert len(matches) == 1, starts_with
    return matches[0]


def _features(engine: Engine, question: str) -> dict[int, SentenceFeatures]:
    index = engine.index
    query = engine.query(question, index)
    return dict(candidate_features(index, query, engine.retrieve(query, index, 5)))


def test_topic_sentence_echoes_its_heading_and_the_answer_does_not(engine):
    index = engine.index
    features = _features(engine, "whats the main thing to keep in mind when responding to him")
    topic = _sid(index, "Knowing how to respond when he pulls away")
    answer = _sid(index, "The key is to balance patience with self-respect.")
    assert topic in features and answer in features
    assert features[topic].heading_echo > features[answer].heading_echo
    assert features[topic].first_in_section == 1.0
    assert features[answer].first_in_section == 0.0


def test_faq_answer_inherits_its_question(engine):
    index = engine.index
    features = _features(engine, "How long should I give him space when he pulls away?")
    answer = _sid(index, "Research suggests 3 to 7 days is typical")
    faq_question = answer - 1
    assert index.sentences[faq_question].text.endswith("?")
    got = features[answer]
    assert got.context_similarity == pytest.approx(
        float(
            index.sentence_vectors[faq_question]
            @ engine.query_embedder.embed_query(
                "How long should I give him space when he pulls away?"
            )
        ),
        abs=1e-5,
    )
    assert got.context_similarity > got.similarity  # the FAQ question matches better
    assert got.context_overlap > 0.5
    assert faq_question not in features  # an article question is never a candidate


def test_features_are_bounded(engine):
    for values in _features(engine, "why do men pull away when things get serious").values():
        row = dict(zip(FEATURES, values.vector(), strict=True))
        for name in FEATURES:
            assert -1.0 - 1e-6 <= row[name] <= 1.0 + 1e-6, (name, row[name])


def test_committed_ranker_loads_and_weighs_known_features():
    ranker = load_ranker()
    assert RANKER_FILE.is_file()
    assert set(ranker.weights) == set(FEATURES)
    assert ranker.weights["similarity"] > 0  # meaning still counts for most


def test_missing_or_broken_ranker_is_refused_never_a_silent_fallback(tmp_path: Path):
    with pytest.raises(FittedModelError, match=r"absent\.json is missing"):
        load_ranker(tmp_path / "absent.json")
    garbled = tmp_path / "garbled.json"
    garbled.write_bytes(b"\x00not json")
    with pytest.raises(FittedModelError, match="cannot be read"):
        load_ranker(garbled)
    bad = tmp_path / "ranker.json"
    bad.write_text(json.dumps({"weights": {"similarity": 1.0, "made_up": 2.0}}))
    with pytest.raises(ValueError, match="made_up"):
        load_ranker(bad)


QUESTIONS = (  # chatty and keyword questions, where retrieval's first passage is often not it
    "why are so many men bad at being emotionally vulnerable",
    "push pull dynamic relationships meaning",
    "can giving each other some space actually be good for a relationship",
    "How do experts tell healthy processing time apart from problematic avoidance?",
    "how can i tell if hes pulling away but still cares about me",
)


def test_answer_passage_comes_first_and_keeps_its_retrieval_rank(engine):
    reordered = 0
    for question in QUESTIONS:
        answer = engine.ask(question).answer
        assert not answer.abstained, question
        first, cited = answer.hits[0].chunk, answer.citations[0]
        assert first.doc_id == cited.doc_id and first.start <= cited.start < cited.end <= first.end
        assert [h.rank for h in answer.hits] == list(range(1, len(answer.hits) + 1))
        retrieval_ranks = [h.signals["retrieval_rank"] for h in answer.hits]
        assert len(set(retrieval_ranks)) == len(retrieval_ranks)
        reordered += answer.hits[0].signals["retrieval_rank"] > 1
    assert reordered  # retrieval put another passage first at least once, and it moved
