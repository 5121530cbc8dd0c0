"""The real model on the real corpus: right document cited, quotes verbatim."""

import pytest

from service.answering.protocol import NO_ANSWER
from tests.support.paths import DISTANCING_ID, STONEFIELD_ID


def _check_citations(result):
    answer = result.answer
    for citation in answer.citations:
        doc = result.index.documents[citation.doc_id]
        assert doc.text[citation.start : citation.end] == citation.quote
        assert f"{citation.quote} [{citation.n}]" in answer.text


def test_space_question_cites_the_three_to_seven_days(engine):
    result = engine.ask("How long should I give him space when he pulls away?")
    answer = result.answer
    assert not answer.abstained
    assert "3 to 7 days" in answer.text
    assert answer.citations[0].doc_id == STONEFIELD_ID
    assert answer.citations[0].section == "Frequently Asked Questions"
    assert not answer.text.startswith("How long should I give him space")  # not the FAQ's question
    _check_citations(result)


def test_off_topic_question_abstains(engine):
    result = engine.ask("What is the capital of France?")
    assert result.answer.abstained
    assert result.answer.text == NO_ANSWER and result.answer.citations == ()
    assert result.answer.hits  # related reading is still offered


@pytest.mark.parametrize(
    ("question", "doc_id", "needle"),
    [
        ("what does dopamine have to do with men feeling useful", STONEFIELD_ID, "dopamine"),
        # "What did the 2024 University of Arizona study find?" abstains: MiniLM scores it 0.29
        # against the sentence that answers it (a known limitation, listed in the README).
        (
            "why would a man pull away when his masculinity feels threatened",
            STONEFIELD_ID,
            "masculin",
        ),
        ("what are the signs he's pulling away but still cares?", DISTANCING_ID, "texting"),
        ("What percentage of men want to feel more desired?", STONEFIELD_ID, "88%"),
    ],
)
def test_answers_cite_the_right_article(engine, question, doc_id, needle):
    result = engine.ask(question)
    answer = result.answer
    assert not answer.abstained
    assert answer.citations and answer.citations[0].doc_id == doc_id
    assert needle in answer.text
    assert 1 <= len(answer.citations) <= 5
    _check_citations(result)


def test_list_question_keeps_the_list_whole(engine):
    answer = engine.ask("What should I do when he starts acting distant?").answer
    quotes = [c.quote for c in answer.citations]
    assert quotes == [
        "Give him space without withdrawing your support",
        "Avoid jumping to conclusions or issuing ultimatums",
        "Encourage open dialogue without demanding immediate answers",
    ]


def test_hits_and_timings(engine):
    result = engine.ask("avoidant attachment", top_k=3)
    assert [h.rank for h in result.answer.hits] == [1, 2, 3]
    assert set(result.timings_ms) == {"embed", "retrieve", "answer", "total"}
    assert 0.0 <= result.answer.confidence <= 1.0


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_search_modes(engine, mode):
    hits = engine.search("University of Arizona study masculinity threatened", 5, mode).hits
    sections = [h.chunk.section for h in hits[:2]]
    assert "Masculine Identity Threats and Relationship Withdrawal" in sections
    if mode == "hybrid":
        assert hits[0].signals["dense_rank"] and hits[0].signals["bm25_rank"]
