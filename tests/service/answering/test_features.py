"""Sentence features read from one answer's context, on a small hand-built index
(tests/support/small_index.py): each checked against the sentence it describes. No model."""

from __future__ import annotations

import numpy as np
import pytest

from service.answering.context import AnswerContext
from service.answering.features import FEATURES, FeatureExtractor, SentenceFeatures
from service.question.query import build_query
from service.retrieval.modes import Mode
from service.retrieval.retrieve import retrieve
from service.serving import ServingIndex
from tests.support.embedders import HashEmbedder
from tests.support.small_index import sentence_id

FAQ_QUESTION = "How often should I feed a starter kept in the fridge?"  # the FAQ's own words
STEPS_QUESTION = "What are the steps to feed a sourdough starter?"


def context_for(index: ServingIndex, embedder: HashEmbedder, question: str) -> AnswerContext:
    query = build_query(question, index, embedder.embed_query)
    return AnswerContext(index, query, retrieve(index, query, 5, Mode.HYBRID), 5)


@pytest.fixture(scope="module")
def faq(small_index, hash_embedder) -> AnswerContext:
    return context_for(small_index, hash_embedder, FAQ_QUESTION)


def features(context: AnswerContext, starts_with: str, doc_id: str | None = None):
    sid = sentence_id(context.index, starts_with, doc_id)
    return FeatureExtractor(context).features(sid)


def test_list_items_are_bullets_and_a_sections_first_sentence_is_marked(faq):
    lead_in = features(faq, "Feed the starter every day")
    items = [features(faq, words) for words in ("Discard half", "Stir in", "Leave the jar")]
    assert [f.bullet for f in items] == [1.0, 1.0, 1.0]
    assert lead_in.bullet == 0.0 and features(faq, "This routine").bullet == 0.0
    assert lead_in.first_in_section == 1.0  # the section's opening line
    assert [f.first_in_section for f in items] == [0.0, 0.0, 0.0]
    assert features(faq, "Honey bees form").first_in_section == 1.0
    assert features(faq, "This keeps the queen").first_in_section == 0.0


def test_a_sentence_opening_with_this_depends_on_the_one_before(faq):
    assert features(faq, "This keeps the queen").dependent == 1.0
    assert features(faq, "This routine keeps").dependent == 1.0
    assert features(faq, "Honey bees form").dependent == 0.0
    assert features(faq, "Take it out the night").dependent == 0.0


def test_an_faq_answer_inherits_the_similarity_of_its_question(faq):
    question = sentence_id(faq.index, "How often should I feed")
    answer = features(faq, "A starter kept in the refrigerator", "sourdough.md")
    # the question asked is the FAQ's question word for word: equal vectors
    assert faq.similarity(question) == pytest.approx(1.0, abs=1e-5)
    assert answer.context_similarity == faq.similarity(question) > 0
    assert answer.context_similarity > answer.similarity
    # the same sentence in another article answers no question there
    elsewhere = features(faq, "A starter kept in the refrigerator", "baking.md")
    assert elsewhere.similarity == answer.similarity and elsewhere.context_similarity == 0.0


def test_a_list_item_inherits_the_similarity_of_its_lead_in(faq):
    lead_in = sentence_id(faq.index, "Feed the starter every day")
    item = features(faq, "Stir in")
    assert item.context_similarity == faq.similarity(lead_in) > 0


def test_passage_prior_is_one_over_the_rank_of_the_best_passage_holding_it(faq):
    index, extractor = faq.index, FeatureExtractor(faq)
    first, second = faq.hits[0].row, faq.hits[1].row
    for sid in index.chunk_sentences[first]:
        assert extractor.features(sid).passage_prior == 1.0
    for sid in set(index.chunk_sentences[second]) - set(index.chunk_sentences[first]):
        assert extractor.features(sid).passage_prior == 0.5
    shown = {sid for hit in faq.hits for sid in index.chunk_sentences[hit.row]}
    for sid in set(range(len(index.sentences))) - shown:
        assert extractor.features(sid).passage_prior == 0.0


def test_similarities_are_the_dot_products_of_the_stored_vectors(faq):
    index, extractor, vector = faq.index, FeatureExtractor(faq), faq.query.vector
    for sid in range(len(index.sentences)):
        found = extractor.features(sid)
        stored = float(np.asarray(index.sentence_vectors[sid]) @ vector)
        assert found.similarity == faq.similarity(sid) == pytest.approx(stored, abs=1e-6)
        section = int(index.sentence_section[sid])
        heading = float(np.asarray(index.section_vectors[section]) @ vector)
        assert found.heading_similarity == pytest.approx(heading, abs=1e-6)
        best = max(faq.similarity(s) for s in index.section_sentences[section])
        assert found.section_similarity == pytest.approx(best)


def test_overlap_and_the_value_asked_for(faq):
    answer = features(faq, "A starter kept in the refrigerator", "sourdough.md")
    words = faq.index.sentence_terms[sentence_id(faq.index, "Honey bees form")]
    assert not faq.query.terms & words
    assert features(faq, "Honey bees form").overlap == 0.0
    shared = faq.query.terms & faq.index.sentence_terms[sentence_id(faq.index, "How often")]
    assert features(faq, "How often").overlap == len(shared) / len(faq.query.terms) > 0
    # "how often" asks for a frequency: "once a week" states one, the bees' sentence does not
    assert faq.query.intent.wants_value
    assert answer.type_match == 1.0 and features(faq, "Honey bees form").type_match == -1.0


def test_a_steps_question_cues_list_items(small_index, hash_embedder):
    steps = context_for(small_index, hash_embedder, STEPS_QUESTION)
    assert features(steps, "Stir in").cue == 1.0
    assert features(steps, "A sourdough starter is a living").cue == 0.0


def test_every_feature_is_named_and_bounded(faq):
    extractor = FeatureExtractor(faq)
    for sid in range(len(faq.index.sentences)):
        found = extractor.features(sid)
        assert isinstance(found, SentenceFeatures) and len(found.vector()) == len(FEATURES)
        for name in ("overlap", "weighted_overlap", "novelty", "passage_prior", "length"):
            assert 0.0 <= getattr(found, name) <= 1.0, (sid, name)
        assert found.code == found.table == 0.0  # no code block or table in these articles
