"""Which candidate sentences make the answer, on a small hand-built index
(tests/support/small_index.py), with the candidates' scores set by hand. No model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from service.answering.context import AnswerContext
from service.answering.selection import AnswerConfig, Candidate, eligible, select
from service.question.query import build_query
from service.retrieval.modes import Mode
from service.retrieval.retrieve import retrieve
from service.serving import ServingIndex
from tests.support.embedders import HashEmbedder
from tests.support.small_index import sentence_id

CONFIG = AnswerConfig()


def context_for(index: ServingIndex, embedder: HashEmbedder, question: str) -> AnswerContext:
    query = build_query(question, index, embedder.embed_query)
    return AnswerContext(index, query, retrieve(index, query, 5, Mode.HYBRID), 5)


class Scores:
    """Hand-set scores: the candidates, best first, and score_of for any other sentence (0)."""

    def __init__(self, scored: dict[int, float]) -> None:
        self.scored = scored

    def __call__(self, sid: int) -> Candidate:
        score = self.scored.get(sid, 0.0)
        return Candidate(sid, score, score)

    def candidates(self) -> list[Candidate]:
        ranked = sorted(self.scored, key=lambda sid: (-self.scored[sid], sid))
        return [self(sid) for sid in ranked]


def pick(context: AnswerContext, scored: dict[int, float], config: AnswerConfig = CONFIG):
    scores = Scores(scored)
    return select(context, scores.candidates(), scores, config)


def sid(index: ServingIndex, starts_with: str, doc_id: str | None = None) -> int:
    return sentence_id(index, starts_with, doc_id)


def cosine(index: ServingIndex, a: int, b: int) -> float:
    return float(np.asarray(index.sentence_vectors[a]) @ np.asarray(index.sentence_vectors[b]))


# --- eligible ----------------------------------------------------------------------------------


def test_lead_ins_and_questions_are_not_eligible_and_list_items_are(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "How do I feed a sourdough starter?")
    intent = context.query.intent
    assert not eligible(small_index, sid(small_index, "Feed the starter every day"), CONFIG, intent)
    assert not eligible(small_index, sid(small_index, "How often should I feed"), CONFIG, intent)
    answer = sid(small_index, "A starter kept in the refrigerator", "sourdough.md")
    assert eligible(small_index, answer, CONFIG, intent)
    assert eligible(small_index, sid(small_index, "Stir in"), CONFIG, intent)


def test_short_fragments_are_not_eligible_unless_they_are_list_items(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "How do I feed a sourdough starter?")
    strict = replace(CONFIG, min_words=9)
    warm = sid(small_index, "Warm it up before")  # seven words
    item = sid(small_index, "Stir in")  # eight words, a list item
    assert eligible(small_index, warm, CONFIG, context.query.intent)
    assert not eligible(small_index, warm, strict, context.query.intent)
    assert eligible(small_index, item, strict, context.query.intent)


# --- select ------------------------------------------------------------------------------------


def test_a_list_question_gets_the_whole_list(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "What are the steps to feed a starter?")
    assert context.query.intent.wants_several
    items = [sid(small_index, w) for w in ("Discard half", "Stir in", "Leave the jar")]
    opening = sid(small_index, "A sourdough starter is a living")
    # the middle item scores best: the answer is the whole list, in order, and nothing else
    assert pick(context, {items[1]: 0.9, opening: 0.6}) == items
    # an item just under the best sentence still brings its list ...
    assert pick(context, {opening: 0.9, items[2]: 0.88}) == items
    # ... but not one beyond the list margin
    assert pick(context, {opening: 0.9, items[2]: 0.7}) == [opening]


def test_a_list_longer_than_the_limit_is_cut_around_the_item_that_matched(
    small_index, hash_embedder
):
    context = context_for(small_index, hash_embedder, "What are the steps to feed a starter?")
    items = [sid(small_index, w) for w in ("Discard half", "Stir in", "Leave the jar")]
    two = replace(CONFIG, max_list_items=2)
    # the last item matched: it stays in the answer, with the item before it
    assert pick(context, {items[2]: 0.9}, two) == items[1:]
    # the first matched: the list is given from its start
    assert pick(context, {items[0]: 0.9}, two) == items[:2]


def test_the_window_takes_what_the_best_sentence_leans_on_or_runs_into(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "What keeps the queen bee warm in winter?")
    assert not context.query.intent.wants_several  # one sentence and its window
    before, this = sid(small_index, "Honey bees form"), sid(small_index, "This keeps the queen")
    assert pick(context, {this: 0.9}) == [before, this]
    assert pick(context, {before: 0.9}) == [before, this]  # it continues the best one
    # a next sentence of the paragraph that does not continue it joins only when close
    colony, hydrometer = sid(small_index, "A colony needs"), sid(small_index, "Beekeepers check")
    assert pick(context, {colony: 0.9}) == [colony]
    assert pick(context, {colony: 0.9, hydrometer: 0.85}) == [colony, hydrometer]


def test_near_duplicates_are_not_both_chosen(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "How often is a starter in the fridge fed?")
    faq = sid(small_index, "A starter kept in the refrigerator", "sourdough.md")
    copy = sid(small_index, "A starter kept in the refrigerator", "baking.md")
    assert cosine(small_index, faq, copy) > CONFIG.duplicate_cosine  # the same words
    assert pick(context, {faq: 0.9, copy: 0.89}) == [faq]
    # the check is what keeps it out: allowed duplicates, the other article's copy joins
    lenient = replace(CONFIG, duplicate_cosine=1.5)
    assert pick(context, {faq: 0.9, copy: 0.89}, lenient) == [faq, copy]


def test_the_answer_reads_in_article_order_best_document_first(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "How much honey does a colony need?")
    colony, hydrometer = sid(small_index, "A colony needs"), sid(small_index, "Beekeepers check")
    crust = sid(small_index, "A crust that sounds")
    config = replace(CONFIG, duplicate_cosine=0.99)  # unrelated sentences, none a duplicate
    chosen = pick(context, {hydrometer: 0.9, crust: 0.86, colony: 0.88}, config)
    assert chosen == [colony, hydrometer, crust]  # bees first (its best sentence), in order


def test_sentences_outside_the_margins_are_left_out(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "How much honey does a colony need?")
    colony, hydrometer = sid(small_index, "A colony needs"), sid(small_index, "Beekeepers check")
    crust = sid(small_index, "A crust that sounds")
    config = replace(CONFIG, duplicate_cosine=0.99)
    # same article: within keep_margin (0.05); another article: within other_doc_margin (0.1)
    assert pick(context, {hydrometer: 0.9, colony: 0.8, crust: 0.75}, config) == [hydrometer]
    assert pick(context, {hydrometer: 0.9, crust: 0.82}, config) == [hydrometer, crust]
    assert pick(context, {hydrometer: 0.9, crust: 0.75}, config) == [hydrometer]


def test_no_more_than_max_sentences(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "How much honey does a colony need?")
    config = replace(CONFIG, duplicate_cosine=1.5, keep_margin=1.0, other_doc_margin=1.0)
    everyone = {s: 0.9 - s / 100 for s in range(len(small_index.sentences))}
    eligible_ones = {
        s: v for s, v in everyone.items() if eligible(small_index, s, config, context.query.intent)
    }
    for limit in (1, 2, 3):
        chosen = pick(context, eligible_ones, replace(config, max_sentences=limit))
        assert len(chosen) == limit


def test_a_reason_question_takes_the_best_sentences_of_the_best_section(small_index, hash_embedder):
    context = context_for(small_index, hash_embedder, "Why do bees cluster in winter?")
    assert context.query.intent.wants_several
    before, this = sid(small_index, "Honey bees form"), sid(small_index, "This keeps the queen")
    colony = sid(small_index, "A colony needs")
    config = replace(CONFIG, duplicate_cosine=0.99)
    # both of the best section's sentences, never a close one from another section
    assert pick(context, {this: 0.9, before: 0.85, colony: 0.89}, config) == [before, this]
