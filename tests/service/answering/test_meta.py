"""Questions about an article itself, answered from its byline and date lines, on the real index."""

from __future__ import annotations

from service.answering.protocol import NO_ANSWER
from tests.support.paths import STONEFIELD_ID


def _check(result):
    for c in result.answer.citations:
        assert result.index.documents[c.doc_id].text[c.start : c.end] == c.quote


def test_who_wrote_and_when_cite_the_byline_and_the_date_line(engine):
    result = engine.ask("Who wrote the article on why men pull away, and when was it published?")
    answer = result.answer
    assert not answer.abstained
    assert [c.quote for c in answer.citations] == ["Rob Stonefield", "Jan 4, 2026"]
    assert {c.doc_id for c in answer.citations} == {STONEFIELD_ID}
    _check(result)


def test_which_site_published_it(engine):
    result = engine.ask("Which website published the piece about why men pull away?")
    assert [c.quote for c in result.answer.citations] == ["The Devotion Blueprint"]
    _check(result)


def test_an_article_without_a_byline_is_not_given_an_author(engine):
    answer = engine.ask("Who wrote 'Understanding Emotional Distancing in Men'?").answer
    assert answer.abstained and answer.text == NO_ANSWER


def test_an_author_of_something_else_is_not_the_articles_author(engine):
    answer = engine.ask("Who is the author of the Nature Reviews Neuroscience paper?").answer
    assert "Rob Stonefield" not in answer.text
